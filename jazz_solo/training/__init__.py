"""Training: data.py (the LightningDataModule), module.py (the LightningModule), callbacks.py, progress.py (the
progress bar), fit.py (the Trainer, resume and interrupts) and sweep_report.py (a sweep's report). The only part
that imports Lightning."""
