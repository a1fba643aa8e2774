"""Choosing each row's next value from its logits: greedy, or an inverse-CDF draw from uniforms drawn
before the loop (cumsum + searchsorted rather than torch.multinomial, which alone costs several times
the recurrent matmul)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from jazz_solo.sampling.steppers import logit_width

Generator = torch.Generator | Sequence[torch.Generator] | None


def uniforms(steps: int, n: int, generator: Generator, device: torch.device) -> torch.Tensor:
    """(steps, n) uniforms in (0, 1], from one generator or one per row (column)."""
    if generator is None or isinstance(generator, torch.Generator):
        u = torch.rand(steps, n, generator=generator, device=device)
    else:
        if len(generator) != n:
            raise ValueError(f"need one generator per row: {n}, got {len(generator)}")
        u = torch.stack([torch.rand(steps, generator=g, device=device) for g in generator], dim=1)
    return 1 - u  # never 0: an inverse-CDF draw of 0 could land on a zero-probability value


class Chooser:
    """Picks each row's next value from logits (n, logit_width(n_values)) and one uniform u (n, 1) in (0, 1],
    into out (n, 1).

    Sampling strategies draw by inverse CDF: the first value whose cumulated unnormalised probability
    reaches u times the total. top_k and top_p first sort the candidates, most likely first. The total
    is read at the last value, not the last padding column: a GPU's cumsum may add the padding's zeros
    in another order and end an ulp higher, and a draw must never land past the values.
    """

    def __init__(self, strategy: str, n: int, n_values: int, temperature: float, top_k: int, top_p: float, device):
        self.strategy, self.inv_temperature, self.top_p = strategy, 1.0 / temperature, top_p
        self.top = torch.empty(n, 1, device=device)
        if strategy == "greedy":
            return
        width, last = (top_k, top_k) if strategy == "top_k" else (logit_width(n_values), n_values)
        self.weights, self.cdf = (torch.empty(n, width, device=device) for _ in range(2))
        self.threshold, self.cut = torch.empty(n, 1, device=device), torch.empty(n, 1, device=device)
        self.total = self.cdf[:, last - 1 : last]
        self.pos = torch.empty(n, 1, dtype=torch.long, device=device)
        if strategy in ("top_k", "top_p"):
            self.sorted = torch.empty(n, width, device=device)
            self.order = torch.empty(n, width, dtype=torch.long, device=device)
            self.keep = torch.empty(n, width, dtype=torch.bool, device=device)
            self.top = self.sorted[:, :1]

    def __call__(self, logits: torch.Tensor, u: torch.Tensor | None, out: torch.Tensor) -> None:
        if self.strategy == "greedy":  # max with its values runs faster than argmax here; ties: the first
            torch.max(logits, 1, keepdim=True, out=(self.top, out))
            return
        if self.strategy == "sample":
            candidates = logits
            torch.amax(logits, 1, keepdim=True, out=self.top)
        elif self.strategy == "top_k":
            candidates = self.sorted
            torch.topk(logits, self.sorted.shape[1], 1, out=(self.sorted, self.order))
        else:
            candidates = self.sorted
            torch.sort(logits, 1, descending=True, out=(self.sorted, self.order))
        w = torch.sub(candidates, self.top, out=self.weights)  # <= 0: exp never overflows
        if self.inv_temperature != 1.0:
            w.mul_(self.inv_temperature)
        w.exp_()
        torch.cumsum(w, 1, out=self.cdf)
        total = self.total
        if self.strategy == "top_p":  # the nucleus: values whose preceding mass is below top_p of the total
            torch.mul(self.total, self.top_p, out=self.cut)
            torch.lt(torch.sub(self.cdf, w, out=w), self.cut, out=self.keep)
            torch.sum(self.keep, 1, keepdim=True, dtype=torch.long, out=self.pos)
            total = torch.gather(self.cdf, 1, self.pos.sub_(1), out=self.cut)
        torch.mul(total, u, out=self.threshold)
        if self.strategy == "sample":
            torch.searchsorted(self.cdf, self.threshold, out=out)
        else:
            torch.searchsorted(self.cdf, self.threshold, out=self.pos)
            torch.gather(self.order, 1, self.pos, out=out)
