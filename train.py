"""Train the jazz LSTM. Examples:

    python train.py                                   # embedded corpus, defaults
    python train.py model.n_a=32 data.Tx=20 trainer.max_epochs=5
    python train.py data.path=my_solos/ logger=csv
    python train.py name=long trainer.max_epochs=500  # outputs/train/long/; after a crash or kill,
    python train.py name=long trainer.max_epochs=500 ckpt_path=last   # ... continues from last.ckpt
    python train.py -m experiment=sweep_na_tx         # a sweep, then outputs/sweep/<name>/report.md

The last line on stdout is the best checkpoint's path. Returns the best val loss (what sweepers minimise).
"""

import logging
import math
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from jazz_solo import runs
from jazz_solo.config import TrainConfig, load
from jazz_solo.errors import hydra_entry, one_line_errors
from jazz_solo.training import fit

log = logging.getLogger("train")


@hydra.main(config_path="conf", config_name="train", version_base="1.3")
@one_line_errors
def main(cfg: DictConfig) -> float:
    run_dir = Path(cfg.output_dir)
    for stale in (runs.RESULTS, runs.ERROR):  # from an earlier session of this run folder
        (run_dir / stale).unlink(missing_ok=True)
    try:
        best = fit(load(TrainConfig, cfg))
    except Exception as err:
        runs.record_error(run_dir, err)
        if HydraConfig.get().mode != RunMode.MULTIRUN:
            raise
        # In a sweep a failed run must not stop the others: the report lists it with its error,
        # and +inf makes it the worst trial for an optimising sweeper.
        log.error("run failed: %s (recorded in %s)", err, run_dir / runs.ERROR)
        return math.inf
    if best is not None:
        print(best, flush=True)
    results = runs.read_json(run_dir / runs.RESULTS) or {}
    loss = results.get("best_val_loss")
    return math.inf if loss is None else loss


if __name__ == "__main__":
    hydra_entry(main)
