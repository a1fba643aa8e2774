"""The sampler's parts, read in this order: steppers.py (one network step), choose.py (picking a value
from the logits), condition.py (each row's time and features, for a conditioned network), loop.py (the
loop over steps, its CUDA graph and numba kernel), beam.py (beam search).
`jazz_solo.sampler.sample` puts them together."""
