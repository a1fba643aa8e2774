"""Training: corpus -> DataModule -> JazzSoloModule -> checkpoints + results.json. `train.py` is its Hydra front."""

from __future__ import annotations

import logging
import warnings
from dataclasses import asdict
from pathlib import Path

import pytorch_lightning as pl
from hydra.utils import instantiate
from pytorch_lightning.callbacks import ProgressBar
from pytorch_lightning.loggers import WandbLogger
from pytorch_lightning.utilities.exceptions import MisconfigurationException

from jazz_solo.checkpoint import provenance, read_checkpoint_file, read_spec
from jazz_solo.config import TrainConfig
from jazz_solo.errors import JazzSoloError, first_line, missing_extra
from jazz_solo.training.callbacks import (
    AtomicCheckpointIO,
    Interrupted,
    LastCheckpoint,
    OptimizerStats,
    ResumableRng,
    RunRecord,
    SampleSolo,
    monitored_checkpoint,
)
from jazz_solo.training.data import JazzDataModule
from jazz_solo.training.module import JazzSoloModule
from jazz_solo.training.progress import RunProgressBar
from jazz_solo.training.wandb_logger import BurstWandbLogger

log = logging.getLogger(__name__)
# Noise on every run that a user can do nothing about: Lightning 2.6 builds torch's deprecated LeafSpec;
# a resumed run's checkpoint folder is not empty, of course (a new run never shares one: runs.claim_folder);
# a small corpus has fewer batches an epoch than log_every_n_steps (train_loss is logged each epoch anyway).
warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)` is deprecated")
warnings.filterwarnings("ignore", message=r"Checkpoint directory .* exists and is not empty")
warnings.filterwarnings(
    "ignore", message=r"The number of training batches \(\d+\) is smaller than the logging interval"
)
# A run interrupted mid-epoch resumes exactly: the training loader skips the batches done (JazzDataModule).
warnings.filterwarnings("ignore", message="You're resuming from a checkpoint that ended before the epoch ended")
# Lightning's advert for its cloud logger, its hardware lines when there is no GPU/TPU/HPU to use, and its
# restore lines (fit logs "resuming from <last.ckpt>" itself), its line that the last epoch was the last
# and the one a cosine schedule's length costs (it reads the training loader's length early)
QUIET = ("💡 Tip", "GPU available: False", "TPU available: False", "HPU available: False", "Restor")
QUIET += ("`Trainer.fit` stopped: `max_epochs", "Loading `train_dataloader` to estimate")
logging.getLogger("pytorch_lightning.utilities.rank_zero").addFilter(
    lambda record: not record.getMessage().startswith(QUIET)
)
LIGHTNING_CKPT_KEYWORDS = ("last", "best", "hpc", "registry")  # ckpt_path values Lightning resolves itself


def _instantiate_all(group: dict, name: str) -> list:
    objects = []
    for key, spec in group.items():
        if spec is None:
            continue
        try:
            objects.append(instantiate(spec))
        except Exception as err:
            cause = err.__cause__ or err  # Hydra's InstantiationException names the target; the cause says why
            missing = isinstance(cause, ImportError) and missing_extra(str(cause))
            raise JazzSoloError(f"{name}.{key}: {missing or f'cannot build it ({first_line(cause)})'}") from None
    return objects


def build_trainer(cfg: TrainConfig) -> pl.Trainer:
    """cfg.trainer's arguments, the configured loggers and callbacks, plus what every run needs: the run
    record (results.json), resumable randomness, lr and gradient-norm logging, the W&B sample solo, a
    one-line progress bar (unless the config names its own), and atomic checkpoint writes. The loggers
    get the resolved config."""
    loggers = _instantiate_all(cfg.logger, "logger")
    callbacks = _instantiate_all(cfg.callbacks, "callbacks")
    callbacks += [RunRecord(cfg.output_dir, asdict(cfg)), ResumableRng(), OptimizerStats(), SampleSolo(cfg.output_dir)]
    if cfg.trainer.get("enable_progress_bar", True) and not any(isinstance(cb, ProgressBar) for cb in callbacks):
        callbacks.append(RunProgressBar())
    try:
        trainer = pl.Trainer(
            # data.EpochBatches gives each DDP process its share, so that a resumed epoch can skip its done batches
            **{**cfg.trainer, "use_distributed_sampler": False},
            logger=loggers or False,
            callbacks=callbacks,
            plugins=[AtomicCheckpointIO()],
            default_root_dir=cfg.output_dir,
        )
    except (TypeError, ValueError, MisconfigurationException) as err:  # e.g. accelerator=gpu without a GPU
        raise JazzSoloError(f"trainer: {first_line(err)}") from None
    for logger in trainer.loggers:
        if isinstance(logger, WandbLogger) and logger._wandb_init.get("anonymous", 0) is None:
            del logger._wandb_init["anonymous"]  # Lightning passes None, which wandb warns about on every run
        logger.log_hyperparams(asdict(cfg))
    return trainer


def resume_from(ckpt_path: str | None, trainer: pl.Trainer, model: JazzSoloModule) -> str | None:
    """ckpt_path "last" -> this run's last.ckpt if there is one yet, else None (train from the start).

    A file is checked first, so a wrong one stops the run with one line rather than Lightning's traceback.
    """
    lasts = [cb.path for cb in trainer.callbacks if isinstance(cb, LastCheckpoint)]
    if ckpt_path == "last" and lasts:
        if not lasts[0].exists():
            log.info("no %s yet: training from the start", lasts[0])
            return None
        ckpt_path = str(lasts[0])
        log.info("resuming from %s", ckpt_path)
    if ckpt_path is not None and ckpt_path not in LIGHTNING_CKPT_KEYWORDS:
        check_resumable(ckpt_path, model)
    return ckpt_path


def check_resumable(path: str, model: JazzSoloModule) -> None:
    """`path` is a checkpoint train.py wrote, with the model and vocabulary this run has built."""
    raw = read_checkpoint_file(path)
    try:
        spec = read_spec(raw, path)
    except JazzSoloError:
        spec = None
    if "loops" not in raw or spec is None:
        raise JazzSoloError(f"ckpt_path: {path} is not a checkpoint train.py wrote (nothing to resume)")
    if spec.vocab != model.hparams.vocab:
        raise JazzSoloError(f"ckpt_path: {path} has another vocabulary than this run's corpus (other data settings?)")
    # what the weights' shapes or the lr's curve depend on (keys absent from older checkpoints: their defaults)
    checked = (("cell", None), ("n_a", None), ("condition", "none"), ("shared", False), ("schedule", "constant"))
    for key, default in checked:
        was, now = spec.model.get(key, default), model.hparams.model.get(key, default)
        if was != now:
            raise JazzSoloError(f"ckpt_path: {path} has model.{key}={was}, this run {now}")


def close_wandb(trainer: pl.Trainer, exit_code: int) -> None:
    """Finish this fit's W&B run: after a success, so its files are complete before the checkpoint path is
    printed; after a failure or an interrupt too, or the next run of a sweep in this process would log
    into this one (wandb reuses a run left open)."""
    for logger in trainer.loggers:
        if isinstance(logger, WandbLogger) and trainer.is_global_zero:
            import wandb

            if isinstance(logger, BurstWandbLogger):  # Lightning's finalize has sent them, unless it was cut short
                logger.flush()
            wandb.finish(exit_code=exit_code)
            for folder in Path(logger.save_dir or ".").glob(f"wandb/offline-run-*-{logger.version}"):  # offline only
                log.info("W&B run: %s (its `epoch` counts from 0; upload: wandb sync %s)", folder, folder)


def fit(cfg: TrainConfig) -> Path | None:
    """Train; write <output_dir>/results.json; return the best checkpoint's path.

    None when no checkpoint was written (e.g. fast_dev_run) and in DDP processes other than rank 0.
    cfg.ckpt_path="last" resumes from the newest last*.ckpt in the checkpoint folder (none: from scratch).
    """
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    datamodule = JazzDataModule(cfg.data, cfg.model.condition)
    datamodule.setup()
    log.info(
        "corpus: %d values in the training split (%d in validation), %d distinct; %d train / %d val windows of Tx=%d",
        *datamodule.split_values,
        datamodule.n_values,
        len(datamodule.train_set),
        len(datamodule.val_set),
        cfg.data.Tx,
    )
    model = JazzSoloModule(model=asdict(cfg.model), **datamodule.describe(), provenance=provenance())
    log.info(  # Lightning's model summary table, in one line (conf/trainer/default.yaml turns the table off)
        "model: %s, n_a=%d, %s parameters",
        cfg.model.cell,
        cfg.model.n_a,
        f"{sum(p.numel() for p in model.parameters()):,}",
    )
    trainer = build_trainer(cfg)
    try:
        trainer.fit(model, datamodule=datamodule, ckpt_path=resume_from(cfg.ckpt_path, trainer, model))
    except BaseException as err:
        close_wandb(trainer, 128 + err.signum if isinstance(err, Interrupted) else 1)
        raise
    close_wandb(trainer, 0)
    checkpoint = monitored_checkpoint(trainer)
    best = checkpoint and (checkpoint.best_model_path or checkpoint.last_model_path)
    if not trainer.is_global_zero or not best or not Path(best).exists():
        return None
    return Path(best)
