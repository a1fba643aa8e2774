"""The LightningModule: teacher forcing over whole windows, cross-entropy at every step."""

from __future__ import annotations

import math

import pytorch_lightning as pl
import torch
from torch.nn import functional as F

from jazz_solo.checkpoint import Spec
from jazz_solo.errors import JazzSoloError


def logs_this_step(trainer: pl.Trainer) -> bool:
    """Whether this step's metrics go to the loggers: every log_every_n_steps steps, straight to them, as
    Lightning's LearningRateMonitor does; a self.log call costs about as much as a training step of the
    exercise's size (python -m benchmarks train)."""
    return bool(trainer.loggers) and trainer.global_step % trainer.log_every_n_steps == 0


class JazzSoloModule(pl.LightningModule):
    """Wraps SoloNet. Its hyperparameters are the fields of a checkpoint.Spec (plain containers), so a
    checkpoint alone can generate."""

    def __init__(
        self,
        model: dict,
        data: dict,
        vocab: list[str],
        value_counts: list[int],
        backing: dict,
        home: int | None = None,
        provenance: dict | None = None,
        licence: str | None = None,
    ):
        super().__init__()
        self.save_hyperparameters(logger=False)  # the loggers get the resolved run config instead
        self.net = Spec(model, data, vocab, value_counts, backing, home, provenance, licence).build_net()
        self._val_totals = torch.zeros(3)  # this validation's summed loss, right guesses and targets

    def setup(self, stage: str) -> None:
        # Each DDP process builds its vocabulary from the corpus: they must agree, or an index would mean
        # a different value in each process.
        if self.trainer.strategy.broadcast(self.hparams.vocab) != self.hparams.vocab:
            raise JazzSoloError(f"process {self.global_rank} built a different vocabulary than process 0")

    def forward(self, x: torch.Tensor, features: torch.Tensor | None = None) -> torch.Tensor:
        """x (batch, Tx) value indices [, features (batch, Tx, n_features)] -> logits (batch, Tx, n_values)."""
        return self.net(x, features=features)[0]

    @staticmethod
    def _loss(logits: torch.Tensor, y: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
        """logits (batch, Tx, n_values), y (batch, Tx) -> cross-entropy per value, mean (or sum).

        y < 0 (windows.PAD) marks a step without a target: cross_entropy's ignore_index skips it.
        """
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction=reduction)

    @staticmethod
    def _right_and_targets(logits: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """How many steps with a target have it as their argmax, and how many steps have a target."""
        counted = y >= 0
        return ((logits.argmax(-1) == y) & counted).sum(), counted.sum()

    def training_step(self, batch, batch_idx):
        x, y, *features = batch  # (batch, Tx), (batch, Tx)[, (batch, Tx, n_features)]
        logits = self(x, *features)
        loss = self._loss(logits, y)
        if logs_this_step(self.trainer):
            with torch.no_grad():
                right, targets = self._right_and_targets(logits, y)
            acc = right / targets
            for logger in self.loggers:
                logger.log_metrics({"train_loss": loss.item(), "train_acc": acc.item()}, step=self.global_step)
        return loss

    def on_validation_epoch_start(self) -> None:
        self._val_totals = torch.zeros(3, device=self.device)

    def validation_step(self, batch, batch_idx):
        x, y, *features = batch
        logits = self(x, *features)
        right, targets = self._right_and_targets(logits, y)
        # in float32 whatever the precision: bf16 would round the counts
        self._val_totals += torch.stack([self._loss(logits, y, "sum").float(), right.float(), targets.float()])

    def on_validation_epoch_end(self) -> None:
        """Means over every target of the validation set (all processes' sums first), handed straight to
        the callbacks (val_loss for checkpoints and early stopping), the progress bar and the loggers.

        Not through self.log: its result collection costs about as much per validation as the exercise's
        whole validation pass (python -m benchmarks hooks). The sums are already the same in every process.
        """
        if self.trainer.sanity_checking:  # Lightning would discard them too
            return
        loss_sum, right, targets = self.trainer.strategy.reduce(self._val_totals, reduce_op="sum").tolist()
        targets = targets or math.nan  # no targets: nan, as a mean over nothing
        metrics = {"val_loss": loss_sum / targets, "val_acc": right / targets}
        self.trainer.callback_metrics.update({key: torch.tensor(value) for key, value in metrics.items()})
        self.trainer.progress_bar_metrics.update(metrics)
        for logger in self.loggers:
            logger.log_metrics(metrics | {"epoch": self.current_epoch}, step=self.global_step)

    def configure_optimizers(self):
        """Adam; with model.schedule=cosine, its lr falls along half a cosine to 0 at the run's last step
        (stepped every batch, so a resumed run continues the same curve)."""
        m = self.hparams.model
        adam = torch.optim.Adam(self.parameters(), lr=m["lr"], betas=tuple(m["betas"]), weight_decay=m["weight_decay"])
        if m.get("schedule", "constant") == "constant":
            return adam
        total = self.trainer.estimated_stepping_batches
        if not math.isfinite(total):
            raise JazzSoloError("config: model.schedule=cosine needs a run of known length (trainer.max_epochs >= 1)")
        fall = torch.optim.lr_scheduler.LambdaLR(adam, lambda step: (1 + math.cos(math.pi * min(step / total, 1))) / 2)
        return {"optimizer": adam, "lr_scheduler": {"scheduler": fall, "interval": "step"}}
