"""Beam search: the `width` most likely continuations of each primer row."""

from __future__ import annotations

import torch

from jazz_solo.net import SoloNet
from jazz_solo.sampling.steppers import logit_width


def beam_search(
    stepper, net: SoloNet, head_bias: torch.Tensor, primer: torch.Tensor, length: int, width: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The `width` most likely continuations of each primer row (n, P), by total log-probability.

    Returns tokens (n, width, length) and their log-probability (n, width), best first.
    """
    n, p = primer.shape
    v, steps, device = net.n_values, length - p, primer.device
    stepper.load(net, head_bias)
    stepper.reset()
    logits = torch.empty(n * width, logit_width(v), device=device)
    for tok in primer.repeat_interleave(width, 0).T:
        stepper.feed(tok, logits)
    scores = torch.full((n, width), float("-inf"), device=device)
    scores[:, 0] = 0  # the beams start identical: expand one of them only
    history = torch.empty(n, width, steps, dtype=torch.long, device=device)
    first_row = torch.arange(n, device=device)[:, None] * width
    for s in range(steps):
        candidates = scores[:, :, None] + torch.log_softmax(logits[:, :v], -1).view(n, width, v)
        scores, best = candidates.view(n, width * v).topk(width, 1)
        parent, tok = best // v, best % v
        history = history.gather(1, parent[:, :, None].expand(-1, -1, steps))
        history[:, :, s] = tok
        stepper.reorder((first_row + parent).view(-1))
        if s + 1 < steps:
            stepper.feed(tok.view(-1), logits)
    tokens = torch.cat([primer[:, None].expand(n, width, p), history], dim=2)
    return tokens, scores
