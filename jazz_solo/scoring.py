"""Teacher forcing: the network over known values, each scored given the ones before it.

The one copy that evaluation (the validation windows) and generation (a timed solo's kept values,
prefix_log_probs) share. Training's loss is F.cross_entropy on the LightningModule's own forward
instead: one fused op, faster for the backward pass it needs.
"""

from __future__ import annotations

import torch

from jazz_solo.conditioning import step_features
from jazz_solo.sampling import Condition, Grid


@torch.no_grad()
def step_log_probs(
    net: torch.nn.Module,
    tokens: torch.Tensor,
    features: torch.Tensor | None = None,
    mask: torch.Tensor | None = None,
    batch_size: int = 1024,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(log_probs, top) of each value after the first, given the ones before it, both (n, L - 1).

    tokens: (n, L) int64 on the network's device; features: (n, L - 1, n_features), what a conditioned
    network hears with each input value (moved to its device); mask: (n_values,) bool, values never
    chosen (as in sampler.sample), or (n, L - 1, n_values), the values banned at each step.
    log_probs: float32, top: bool, whether the value is the network's
    most likely one. Rows go through the network `batch_size` at a time (a fixed size: the same
    batches give the same floats).
    """
    log_probs, top = [], []
    for i, rows in enumerate(tokens.split(batch_size)):
        batch = slice(i * batch_size, (i + 1) * batch_size)
        heard = None if features is None else features[batch].to(rows.device)
        logits, _ = net(rows[:, :-1], features=heard)  # (rows, L - 1, n_values)
        if mask is not None:
            banned = mask if mask.dim() == 1 else mask[batch]
            logits = logits.masked_fill(banned.to(logits.device, torch.bool), float("-inf"))
        targets = rows[:, 1:, None]
        log_probs.append(logits.log_softmax(-1).gather(-1, targets)[..., 0])
        top.append(logits.argmax(-1) == targets[..., 0])
    return torch.cat(log_probs), torch.cat(top)


@torch.no_grad()
def grouped_log_probs(
    net: torch.nn.Module,
    tokens: torch.Tensor,
    groups: torch.Tensor,
    features: torch.Tensor | None = None,
    batch_size: int = 256,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(log_probs, top) of each target's group in k partitions of the vocabulary, both (n, L - 1, k).

    tokens and features as in step_log_probs; groups: (k, n_values) int64, the group of each value in
    each partition (e.g. its pitch, its duration). A group's probability is the sum of its values'
    (the marginal of the joint softmax), in float64 so that unlikely groups keep a finite log.
    top: whether the target's group is the most likely group.
    """
    groups = groups.to(tokens.device)
    log_probs, top = [], []
    for i, rows in enumerate(tokens.split(batch_size)):
        heard = None if features is None else features[i * batch_size : (i + 1) * batch_size].to(rows.device)
        logits, _ = net(rows[:, :-1], features=heard)  # (rows, L - 1, n_values)
        probs = logits.double().softmax(-1)
        picked, best = [], []
        for partition in groups:
            into = partition.expand_as(probs)
            marginal = probs.new_zeros(*probs.shape[:-1], int(partition.max()) + 1).scatter_add_(-1, into, probs)
            target = partition[rows[:, 1:]]  # (rows, L - 1)
            picked.append(marginal.gather(-1, target[..., None])[..., 0].log())
            best.append(marginal.argmax(-1) == target)
        log_probs.append(torch.stack(picked, -1).float())
        top.append(torch.stack(best, -1))
    return torch.cat(log_probs), torch.cat(top)


def prefix_log_probs(
    net,
    tokens: torch.Tensor,
    kept: torch.Tensor,
    mask: torch.Tensor | None = None,
    condition: Condition | None = None,
    grid: Grid | None = None,
) -> torch.Tensor:
    """(n,) log-probability under `net` of tokens[i, 1:kept[i]], each given the ones before it.

    tokens: (n, L) int64, the primer first; kept: (n,) int64 in [1, L]; mask, condition and grid as in
    sampler.sample: with a grid, each value is scored under the distribution renormalised over the values
    the grid allows where it starts, as the sampler drew it.
    """
    features = None if condition is None else step_features(condition, tokens[:, :-1])  # (n, L - 1, n_features)
    if grid is not None:  # the values banned where each value after the first starts: (n, L - 1, n_values)
        grid = grid.within(mask).to(tokens.device)
        banned = ~grid.allowed[grid.positions(tokens[:, :-1])]
        mask = banned if mask is None else banned | mask.to(tokens.device, torch.bool)
    picked, _ = step_log_probs(net, tokens, features, mask)  # (n, L - 1)
    steps = torch.arange(1, tokens.shape[1], device=tokens.device)
    return torch.where(steps < kept[:, None], picked, torch.zeros_like(picked)).sum(1)
