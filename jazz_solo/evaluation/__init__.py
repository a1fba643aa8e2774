"""A checkpoint's solos against its own corpus: metrics.py (the measures), evaluate.py (the evaluation),
figures.py (its pictures)."""
