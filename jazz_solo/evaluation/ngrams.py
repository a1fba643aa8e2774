"""Measures of value sequences (numpy, no torch): cross-entropy, perplexity and top-1 accuracy from
per-target losses; unigram / bigram baselines (add-one smoothing) scored on the same targets as the
network; originality, the runs of values copied verbatim from a corpus.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def prediction_scores(nll: np.ndarray, correct: np.ndarray) -> dict[str, float]:
    """Per-target negative log-likelihoods (nats) and top-1 hits, both (N,) -> the three scores."""
    cross_entropy = float(np.mean(nll))
    return {
        "cross_entropy": cross_entropy,
        "perplexity": float(np.exp(cross_entropy)),
        "accuracy": float(np.mean(correct)),
    }


def unigram_log_probs(sequences: Sequence[Sequence[int]], n_values: int) -> np.ndarray:
    """log p(value), add-one smoothed over the whole vocabulary: (n_values,)."""
    counts = np.ones(n_values)
    for seq in sequences:
        counts += np.bincount(np.asarray(seq, dtype=int), minlength=n_values)
    return np.log(counts / counts.sum())


def bigram_log_probs(sequences: Sequence[Sequence[int]], n_values: int) -> np.ndarray:
    """log p(next | previous), add-one smoothed: (n_values, n_values), indexed [previous, next]."""
    counts = np.ones((n_values, n_values))
    for seq in sequences:
        seq = np.asarray(seq, dtype=int)
        np.add.at(counts, (seq[:-1], seq[1:]), 1)
    return np.log(counts / counts.sum(axis=1, keepdims=True))


def ngram_scores(log_probs: np.ndarray, previous: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """Score a unigram (n_values,) or bigram (n_values, n_values) table on (previous, target) pairs, each (N,)."""
    if log_probs.ndim == 1:
        log_probs, previous = log_probs[None, :], np.zeros_like(targets)
    nll = -log_probs[previous, targets]
    correct = log_probs.argmax(axis=1)[previous] == targets
    return prediction_scores(nll, correct)


def grouped_ngram_scores(
    log_probs: np.ndarray, previous: np.ndarray, targets: np.ndarray, groups: np.ndarray
) -> dict[str, float]:
    """ngram_scores for each target's group (groups: (n_values,) int, the group of each value): the n-gram's
    probability of a group is the sum of its values'."""
    marginal = np.exp(log_probs) @ np.eye(groups.max() + 1)[groups]  # (n_groups,) or (n_values, n_groups)
    return ngram_scores(np.log(marginal), previous, groups[targets])


def copied_run_lengths(values: Sequence[int], corpus: Sequence[Sequence[int]]) -> np.ndarray:
    """For each position of `values`, the length of the longest run ending there found verbatim in `corpus`.

    values: non-negative integers (value indices); corpus: sequences of them. Runs never cross from one
    corpus sequence into the next. Cost: len(values) * corpus length, vectorised over the corpus.
    """
    pieces = [np.append(np.asarray(seq, dtype=np.int64), -1) for seq in corpus]  # -1: a separator
    text = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    run = np.zeros(len(text) + 1, dtype=np.int64)  # run[j + 1]: the common run ending at text[j]
    longest = np.zeros(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        run[1:] = np.where(text == value, run[:-1] + 1, 0)
        longest[i] = run.max()
    return longest


def originality(
    sequences: Sequence[Sequence[int]], corpus: Sequence[Sequence[int]], n: int = 8
) -> dict[str, float | None]:
    """How much of `sequences` is copied from `corpus` (None where there is nothing to measure):

    longest_copied_run: mean over sequences of the longest run of values found verbatim in the corpus;
    longest_copied_run_max: the longest over all sequences;
    copied_<n>gram_share: share of all n-grams of the sequences that occur verbatim in the corpus.
    """
    runs = [copied_run_lengths(seq, corpus) for seq in sequences]
    longest = [int(r.max()) if len(r) else 0 for r in runs]
    ngrams = sum(max(0, len(r) - n + 1) for r in runs)
    copied = sum(int((r[n - 1 :] >= n).sum()) for r in runs)
    return {
        "longest_copied_run": float(np.mean(longest)) if longest else None,
        "longest_copied_run_max": float(max(longest)) if longest else None,
        f"copied_{n}gram_share": copied / ngrams if ngrams else None,
    }
