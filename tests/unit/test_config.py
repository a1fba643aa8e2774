"""The config schemas check their values (config.py)."""

from __future__ import annotations

import pytest

from conftest import ROOT


def test_trainer_values_are_checked_against_lightnings_signature():
    from omegaconf import OmegaConf

    from jazz_solo.config import TrainConfig
    from jazz_solo.errors import JazzSoloError

    for path in (ROOT / "conf" / "trainer").glob("*.yaml"):  # every shipped trainer config passes
        TrainConfig(trainer={k: v for k, v in OmegaConf.to_container(OmegaConf.load(path)).items() if k != "defaults"})
    TrainConfig(trainer={"devices": [0, 2], "precision": "bf16-mixed", "limit_train_batches": 0.5, "max_time": None})
    for bad in ({"devices": [0, "x"]}, {"precision": "bf17"}, {"enable_progress_bar": "no"}, {"max_steps": True}):
        with pytest.raises(JazzSoloError, match=f"trainer.{next(iter(bad))} must be"):
            TrainConfig(trainer=bad)
