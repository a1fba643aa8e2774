"""jazz_solo: improvise jazz solos with an LSTM (PyTorch Lightning + Hydra)."""

__version__ = "0.1.0"
