"""Per-note perplexity: a note-level model's distribution over values, read jointly and per field.

A note-level value (tokenizers.note_fields) is one note's pitch, or a rest, and its duration. The joint
perplexity scores the value itself (it is val_perplexity); the pitch perplexity scores the target's pitch
whatever its duration, under the sum of the probabilities of the values that share that pitch; the
duration perplexity likewise. These are the figures note-level models publish (MINGUS on WJazzD: pitch
11.01, duration 4.14; BebopNet joint 44.7; docs/evaluating.md says what differs). Two baselines, fitted
on the training split and scored on the same targets: the bigram of the values, read the same way, and
the bigram of each field's own stream (pitch after pitch, duration after duration): with far fewer symbols
it is less diluted by add-one smoothing, so it is the stronger of the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from jazz_solo.evaluation import ngrams
from jazz_solo.music.tokenizers import field_groups
from jazz_solo.scoring import grouped_log_probs

READINGS = ("joint", "pitch", "duration")


def note_groups(vocab: Sequence[str]) -> np.ndarray:
    """(3, n_values) int: each value's group in each reading: itself, its pitch (or rest), its duration."""
    return np.stack([np.arange(len(vocab)), *np.asarray(field_groups(vocab))])


def note_metrics(
    net: torch.nn.Module,
    vocab: Sequence[str],
    windows: torch.Tensor,
    train: list[list[int]],
    features: torch.Tensor | None = None,
) -> dict[str, float]:
    """note_perplexity_R, note_accuracy_R, note_bigram_perplexity_R and note_field_bigram_perplexity_R for
    each reading R, on windows (n, Tx + 1) scored as evaluate.model_scores does (features: (n, Tx,
    n_features) for a conditioned net)."""
    groups = note_groups(vocab)
    device = next(net.parameters()).device
    log_probs, top = grouped_log_probs(net, windows.to(device), torch.as_tensor(groups), features)
    previous, targets = windows[:, :-1].flatten().numpy(), windows[:, 1:].flatten().numpy()
    bigram = ngrams.bigram_log_probs(train, len(vocab))
    found = {}
    for k, reading in enumerate(READINGS):
        model = ngrams.prediction_scores(
            -log_probs[..., k].flatten().cpu().numpy(), top[..., k].flatten().cpu().numpy()
        )
        baseline = ngrams.grouped_ngram_scores(bigram, previous, targets, groups[k])
        found[f"note_perplexity_{reading}"] = model["perplexity"]
        found[f"note_accuracy_{reading}"] = model["accuracy"]
        found[f"note_bigram_perplexity_{reading}"] = baseline["perplexity"]
        field = groups[k]  # the field's own stream: a bigram over its groups
        own = ngrams.bigram_log_probs([field[np.asarray(seq, dtype=int)] for seq in train], int(field.max()) + 1)
        found[f"note_field_bigram_perplexity_{reading}"] = ngrams.ngram_scores(own, field[previous], field[targets])[
            "perplexity"
        ]
    return found
