"""The LSTM sampling loop compiled with numba: the sampler's path for a few rows on CPU.

Why: at batch 1 the torch loop is bound by its per-op cost, not by arithmetic. One step is about ten
torch ops at ~1.3 us each, plus ~130 us fixed per call: 63 k tokens/s greedy on a 2-core CPU
(torch.compile: 73 k), while one token's arithmetic (h W_hh, 64 x 256, and the 64 x 78 head) is
~21 k multiply-adds, about 2 us unvectorised. Here the whole loop, choices included, is one call.

The arithmetic is FastLSTM's (sampling/steppers.py): the same folded weights (the g gate doubled, the cell
state kept as -2c) and the same inverse-CDF draw from the same uniforms, so the tokens equal the torch
loop's except where float rounding flips a near tie or a draw that lands on a CDF step.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def lstm_loop(
    table,
    w,
    head_w,
    head_b,
    primer,
    noise,
    inv_temperature,
    greedy,
    tokens,
    log_prob,
    context,
    first,
    length,
    steps_of,
    penalty,
):
    """Run n rows to the end: greedy argmax, else draw from softmax(logits * inv_temperature).

    table (V, 4a): the input projection of each value, both biases in; w (a, 4a): W_hh transposed;
    head_w (a, >= V), head_b (>= V,): the head, float32 (FastLSTM's buffers, whose padding columns past
    the V values are never read here). primer (n, P) int64;
    noise (steps, n) float32 uniforms in (0, 1] (unread when greedy). Writes tokens (n, steps) int64
    and log_prob (n,), the log-probability of the generated values under softmax(logits).
    A conditioned network (sampling/condition.py's Clock): context (S, 4a) float32, the input projection
    of the features at every step of the loops; row r plays over steps first[r] .. first[r] + length[r]
    and each value v moves its time on by steps_of[v] (V,); an empty context: unconditioned.
    A grid (sampling/grid.py's GridClock): penalty (G, V) float32, 0 or -inf, added to the logits of a row
    whose time modulo G is g before it chooses (the choice and log_prob then renormalised over the values
    allowed there); no rows: no grid.
    """
    n, p = primer.shape
    steps, a, v = tokens.shape[1], w.shape[0], table.shape[0]  # v values; the head may have padding columns
    gates, h, minus_2c = np.empty(4 * a, np.float32), np.empty(a, np.float32), np.empty(a, np.float32)
    logits, cdf = np.empty(v, np.float32), np.empty(v, np.float32)
    conditioned, gridded = context.shape[0] > 0, penalty.shape[0] > 0
    for r in range(n):
        h[:], minus_2c[:], total, time = 0, 0, 0.0, 0
        for t in range(p + steps - 1):
            value = primer[r, t] if t < p else tokens[r, t - p]
            gates[:] = table[value]
            time += steps_of[value]
            if conditioned:  # the context where the value ends
                row = first[r] + time % length[r]
                for j in range(4 * a):
                    gates[j] += context[row, j]
            for k in range(a):  # gates += h W: rows of W scaled and added, so the inner loop vectorises
                hk = h[k]
                for j in range(4 * a):
                    gates[j] += hk * w[k, j]
            for j in range(4 * a):
                gates[j] = 1 / (1 + math.exp(-gates[j]))
            for j in range(a):  # i, f, g, o; tanh(g) = 2 s_g - 1 and h = o tanh(c) = o - 2 o sigmoid(-2c)
                i, f, g, o = gates[j], gates[a + j], gates[2 * a + j], gates[3 * a + j]
                minus_2c[j] = minus_2c[j] * f - 4 * i * g + 2 * i
                h[j] = o - 2 * o / (1 + math.exp(-minus_2c[j]))
            if t < p - 1:
                continue  # still reading the primer: no choice to make
            logits[:] = head_b[:v]
            for k in range(a):
                hk = h[k]
                for j in range(v):
                    logits[j] += hk * head_w[k, j]
            if gridded:  # the values allowed where the row stands
                at = time % penalty.shape[0]
                for j in range(v):
                    logits[j] += penalty[at, j]
            s, best = t - p + 1, 0
            for j in range(v):
                if logits[j] > logits[best]:
                    best = j
            top, mass = logits[best], 0.0
            for j in range(v):
                mass += math.exp(logits[j] - top)
            if not greedy:  # inverse CDF, as torch's cumsum (accumulated in float64) + searchsorted
                acc = 0.0
                for j in range(v):
                    acc += np.float32(math.exp(np.float32((logits[j] - top) * inv_temperature)))
                    cdf[j] = acc
                threshold, best = np.float32(cdf[v - 1] * noise[s, r]), v - 1
                for j in range(v):
                    if cdf[j] >= threshold:
                        best = j
                        break
            tokens[r, s] = best
            total += logits[best] - top - math.log(mass)
        log_prob[r] = total
