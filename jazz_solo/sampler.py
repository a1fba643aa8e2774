"""Autoregressive sampling from a SoloNet: batched, seeded, on any device.

Value indices in, value indices out; the sampler knows nothing of music.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F

from jazz_solo.net import SoloNet


@dataclass
class Samples:
    tokens: torch.Tensor  # (n, length) int64: the primer followed by the generated values
    log_prob: torch.Tensor  # (n,) float: sum of log-probabilities of the generated values


@torch.no_grad()
def sample(
    net: SoloNet,
    primer: torch.Tensor,
    length: int,
    strategy: str = "greedy",
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> Samples:
    """Continue each primer row to `length` values.

    primer: (n, P) int64 with 1 <= P <= length. `greedy` takes the argmax (the classic
    exercise); `sample` draws from softmax(logits / temperature) with `generator`.
    """
    n, p = primer.shape
    device = primer.device
    tokens = torch.empty(n, length, dtype=torch.long, device=device)
    tokens[:, :p] = primer
    log_prob = torch.zeros(n, device=device)
    logits, state = net(F.one_hot(primer, net.n_values).float())
    last = logits[:, -1]  # (n, n_values)
    for t in range(p, length):
        log_probs = torch.log_softmax(last, dim=-1)
        if strategy == "greedy":
            nxt = log_probs.argmax(-1)
        else:
            probs = torch.softmax(last / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        tokens[:, t] = nxt
        log_prob += log_probs.gather(1, nxt[:, None]).squeeze(1)
        if t + 1 < length:
            logits, state = net(F.one_hot(nxt, net.n_values).float()[:, None], state)
            last = logits[:, -1]
    return Samples(tokens, log_prob)
