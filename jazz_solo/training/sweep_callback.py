"""The Hydra callback that ends a multirun with its report (sweep_report.write_report) and its exit status,
and writes the report of the runs so far when a sweep stops early."""

from __future__ import annotations

import atexit
import logging
import signal
import sys
from pathlib import Path

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from jazz_solo.errors import JazzSoloError, first_line
from jazz_solo.training.sweep_report import find_runs, write_report

log = logging.getLogger(__name__)

RUNS_FAILED = 3  # a sweep that ended with some runs failed: not a crash's status (1), nor bad input's (2)


def exit_on_signal(signum: int, frame: object) -> None:
    """A signal's default end, 128 + its number, but through sys.exit: exit hooks run."""
    sys.exit(128 + signum)


class SweepReport(Callback):
    """Hydra callback: the report of a multirun when it ends (`evaluate`: solos per run for the music measures).
    When any run failed, the sweep then exits with status RUNS_FAILED; when the report cannot be written, with
    status 1 and one line saying why (Hydra would only warn of an error in a callback, and exit 0).

    A sweep stopped early (Ctrl-C; SIGTERM, which this callback makes exit through the exit hooks where nothing
    else handles it; a crash) never reaches on_multirun_end: as the process exits, the report of its runs so
    far is written then, without evaluation, its path on stdout.
    """

    def __init__(self, evaluate: int = 0):
        if evaluate == 1 or evaluate < 0:
            raise JazzSoloError(f"report.evaluate takes 0 (off) or a number of solos >= 2, got {evaluate}")
        self.evaluate = evaluate
        self.unfinished: Path | None = None  # the sweep folder, from its start to its report

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        self.unfinished = Path(config.hydra.sweep.dir)
        atexit.register(self.report_so_far)  # forked trials leave by os._exit: it runs in this process only
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:  # else SIGTERM would end it with no exit hooks
            signal.signal(signal.SIGTERM, exit_on_signal)

    def report_so_far(self) -> None:
        """At exit, if the sweep did not end: the report of the runs that started, or one line why not."""
        if self.unfinished is None or not self.unfinished.is_dir() or not find_runs(self.unfinished):
            return
        try:
            report, _ = write_report(self.unfinished)
        except Exception as err:  # the exit status and the resume line stay as they are
            print(f"error: the report of the sweep so far in {self.unfinished}: {first_line(err)}", file=sys.stderr)
            return
        print(report, flush=True)

    def disarm(self) -> None:
        """The sweep has its report (or said why not): no report at exit, SIGTERM as it was."""
        self.unfinished = None
        atexit.unregister(self.report_so_far)
        if signal.getsignal(signal.SIGTERM) is exit_on_signal:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        try:  # still armed meanwhile: a Ctrl-C during the evaluations gets the report so far
            report, rows = write_report(config.hydra.sweep.dir, self.evaluate)
        except Exception as err:  # any error: the runs' own folders hold their results still
            self.disarm()
            print(f"error: the sweep's report in {config.hydra.sweep.dir}: {first_line(err)}", file=sys.stderr)
            sys.exit(1)
        self.disarm()
        failed = [r["run"] for r in rows if r["status"] != "ok"]
        if failed:
            log.error("%d of %d runs failed (%s): see %s", len(failed), len(rows), ", ".join(failed), report)
        print(report, flush=True)  # the result, on stdout; the log (stderr) has said which runs failed
        if failed:  # the other runs finished and are in the report; a script or scheduler still learns of it
            sys.exit(RUNS_FAILED)
