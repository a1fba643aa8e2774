"""Train the jazz LSTM. Examples:

    python train.py                                   # embedded corpus, defaults
    python train.py model.n_a=32 data.Tx=20 trainer.max_epochs=5
    python train.py data.path=my_solos/ logger=csv
    python train.py name=long trainer.max_epochs=500  # outputs/train/long/; after a crash or kill,
    python train.py name=long trainer.max_epochs=500 ckpt_path=last   # ... continues from last.ckpt
    python train.py -m experiment=sweep_na_tx         # a sweep, then outputs/sweep/<name>/report.md

The last line on stdout is the best checkpoint's path. Returns the best val loss (what sweepers minimise).
Ctrl-C or SIGTERM stops at the end of the current batch, saves last.ckpt, writes error.json (status
"interrupted"), prints the command that resumes the run, and exits with 130 (SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

from jazz_solo.startup import quiet_interrupts

with quiet_interrupts():  # first: the imports take seconds, and Ctrl-C in them is one line too
    import logging
    import math
    import sys
    from pathlib import Path
    from typing import TYPE_CHECKING

    import hydra
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import DictConfig

    from jazz_solo import runs
    from jazz_solo.cli import load
    from jazz_solo.config import TrainConfig
    from jazz_solo.errors import hydra_entry, one_line_errors

if TYPE_CHECKING:
    from jazz_solo.training.callbacks import Interrupted

log = logging.getLogger("train")


@hydra.main(config_path="conf", config_name="train", version_base="1.3")
@one_line_errors
def main(cfg: DictConfig) -> float:
    run_dir = Path(cfg.output_dir)
    finished = runs.read_json(run_dir / runs.RESULTS) or {}
    if cfg.ckpt_path == "last" and finished.get("stopped_early") and cfg.get("callbacks", {}).get("early_stopping"):
        # the same command again (a preempted job's retry): the run is done, and resuming would train an epoch more
        log.info(
            "this run stopped early after epoch %s: nothing to resume (callbacks.early_stopping=null trains on)",
            finished.get("epochs"),
        )
        print(finished.get("best_ckpt"), flush=True)
        return finished.get("best_val_loss") or math.inf
    for stale in (runs.RESULTS, runs.ERROR):  # from an earlier session of this run folder
        (run_dir / stale).unlink(missing_ok=True)
    with quiet_interrupts():  # torch and Lightning: only now, so --help and a bad config answer at once
        from jazz_solo.training.callbacks import Interrupted
        from jazz_solo.training.fit import fit
    try:
        best = fit(load(TrainConfig, cfg))
    except Interrupted as err:
        stopped(run_dir, err)
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


def resume_command(run_dir: Path, fresh: bool = False) -> str:
    """The command that resumes this run (a sweep: every unfinished run of it): the command line as typed,
    with the name of the run's folder (a sweep's: outputs/sweep/<name>/<job>) and ckpt_path=last; or, fresh,
    that starts it again (overwrite=true) when it saved nothing to resume from."""
    # from the folder: `name` itself may be ${now:...}, which gives another time each time it is read
    name = run_dir.parent.name if HydraConfig.get().mode == RunMode.MULTIRUN else run_dir.name
    return runs.resume_command(sys.argv[1:], name, fresh)


def stopped(run_dir: Path, err: Interrupted) -> None:
    """Record an interrupted run, say how to resume it on one line, and exit with 128 + the signal number."""
    from pytorch_lightning.utilities import rank_zero_only

    if rank_zero_only.rank != 0:  # DDP's other processes: rank 0 speaks for the run
        sys.exit(128 + err.signum)
    # a second signal stops before anything is saved: then only an earlier last.ckpt can be resumed from
    fresh = not err.saved and not any((run_dir / "checkpoints").glob("last*.ckpt"))
    resume = resume_command(run_dir, fresh)
    saved = f"saved {err.saved}" if err.saved else "nothing saved yet" if fresh else "last.ckpt left as it was"
    runs.record_error(
        run_dir, err, status="interrupted", signal=err.signum, last_ckpt=err.saved and str(err.saved), resume=resume
    )
    print(f"{err} ({saved}); {'start again' if fresh else 'resume'}: {resume}", file=sys.stderr, flush=True)
    sys.exit(128 + err.signum)


if __name__ == "__main__":
    hydra_entry(main)
