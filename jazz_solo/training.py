"""Training: corpus -> DataModule -> JazzSoloModule -> checkpoints. `train.py` is its Hydra front."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

import pytorch_lightning as pl
from hydra.utils import instantiate
from pytorch_lightning.loggers import WandbLogger

from jazz_solo.config import TrainConfig
from jazz_solo.data import JazzDataModule
from jazz_solo.errors import JazzSoloError
from jazz_solo.model import JazzSoloModule

log = logging.getLogger(__name__)


def _instantiate_all(group: dict, name: str) -> list:
    objects = []
    for key, spec in group.items():
        if spec is None:
            continue
        try:
            objects.append(instantiate(spec))
        except Exception as err:
            raise JazzSoloError(f"{name}.{key}: cannot build it ({str(err).splitlines()[0]})") from None
    return objects


def fit(cfg: TrainConfig) -> Path | None:
    """Train; return the best checkpoint's path (None when no checkpoint was written, e.g. fast_dev_run)."""
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    datamodule = JazzDataModule(cfg.data)
    datamodule.setup()
    log.info(
        "corpus: %d values, %d distinct; %d train / %d val windows of Tx=%d",
        sum(datamodule.value_counts),
        datamodule.n_values,
        len(datamodule.train_set),
        len(datamodule.val_set),
        cfg.data.Tx,
    )
    model = JazzSoloModule(model=asdict(cfg.model), **datamodule.describe())
    loggers = _instantiate_all(cfg.logger, "logger")
    callbacks = _instantiate_all(cfg.callbacks, "callbacks")
    try:
        trainer = pl.Trainer(
            **cfg.trainer, logger=loggers or False, callbacks=callbacks, default_root_dir=cfg.output_dir
        )
    except (TypeError, ValueError) as err:
        raise JazzSoloError(f"trainer: {str(err).splitlines()[0]}") from None
    trainer.fit(model, datamodule=datamodule, ckpt_path=cfg.ckpt_path)
    if any(isinstance(lg, WandbLogger) for lg in loggers):
        import wandb

        wandb.finish()  # now, so its sync hint is printed before the checkpoint path
    checkpoint = trainer.checkpoint_callback
    best = checkpoint and (checkpoint.best_model_path or checkpoint.last_model_path)
    return Path(best) if best and Path(best).exists() else None
