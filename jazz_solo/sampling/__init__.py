"""The batched sampler: value indices in, value indices out; it knows nothing of music.

`sample` (sampler.py) is its front. Its parts, read in this order: steppers.py (one network step),
choose.py (picking a value from the logits), condition.py (each row's time and features, for a
conditioned network), loop.py (the loop over steps, its CUDA graph), kernel.py (the numba loop for a
few rows on CPU), beam.py (beam search), grid.py (keeping each row's time on a grid).

Importing the package alone loads no torch (config checks settings against STRATEGIES); `sample`,
`Samples`, `Condition` and `Grid` load on first use.
"""

STRATEGIES = ("greedy", "sample", "top_k", "top_p", "beam")  # what `sample` can do


def __getattr__(name: str):
    if name in ("sample", "Samples"):
        from jazz_solo.sampling import sampler

        return getattr(sampler, name)
    if name == "Condition":
        from jazz_solo.sampling.condition import Condition

        return Condition
    if name == "Grid":
        from jazz_solo.sampling.grid import Grid

        return Grid
    raise AttributeError(f"module 'jazz_solo.sampling' has no attribute {name!r}")
