"""Hydra launcher `fork`: a sweep's trials several at once, each in a process forked from train.py's own.

    python train.py -m experiment=sweep_na_tx hydra/launcher=fork                 # one trial per core
    python train.py -m experiment=sweep_na_tx hydra/launcher=fork hydra.launcher.n_jobs=3 trainer=gpu

Why not joblib: its worker processes each start Python afresh and import torch, Lightning and Hydra again
(8 to 16 s on a busy 2-core machine) before their first trial, and take seconds to shut down. Here the
launcher imports those once (`preload`), then forks: a child starts in milliseconds with everything loaded.
A trial is a process of its own all the same: its own folder, log, seed, torch threads and CUDA context,
and a crash takes only it down.

What a trial prints goes to <trial folder>/console.log (trials at once would mix their lines and progress
bars on one screen); the launcher logs a line as each trial starts and ends, and prints each trial's best
checkpoint on stdout, in job order, once all have ended. SIGINT (Ctrl-C), SIGTERM or SIGHUP reaches the
launcher alone (each trial has its process group), which passes it on to the running trials, SIGHUP as
SIGTERM: each saves last.ckpt and stops after its batch, as a lone run does. No more trials start, the
launcher says how to resume and exits with the signal's status (the report callback then writes the
report of the runs so far). If the launcher itself dies, its trials get SIGTERM. A trial whose process
dies (killed, out of memory) is recorded in its error.json and counts as +inf, as a trial that raised does.

Hydra finds launchers in the `hydra_plugins` package; conf/hydra/launcher/fork.yaml configures this one.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import math
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, run_job, setup_globals
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, open_dict

from jazz_solo import runs

log = logging.getLogger("hydra.launcher")  # under "hydra": the logger conf/hydra/hydra_logging shows
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # prctl: the signal a process gets when its parent dies (Linux)


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class ForkLauncher(Launcher):
    """n_jobs trials at once (0: one per `threads` of the CPUs this process may use), each on `threads`
    torch threads, forked after the `preload` modules are imported."""

    def __init__(self, n_jobs: int = 0, threads: int = 1, preload: Sequence[str] = ()) -> None:
        for key, value, least in (("n_jobs", n_jobs, 0), ("threads", threads, 1)):
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise ValueError(f"hydra.launcher.{key} must be a whole number >= {least}, got {value!r}")
        self.n_jobs = n_jobs or max(1, len(os.sched_getaffinity(0)) // threads)
        self.threads = threads
        self.preload = list(preload)
        self.config: DictConfig | None = None
        self.hydra_context: HydraContext | None = None
        self.task_function: TaskFunction | None = None
        self._signum: int | None = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.config, self.hydra_context, self.task_function = config, hydra_context, task_function

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        # torch.cuda.is_available() through NVML, which leaves CUDA uninitialised here: a CUDA context
        # cannot cross a fork, so each trial makes its own
        os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")
        for module in self.preload:
            importlib.import_module(module)
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_initialized():
            raise RuntimeError("hydra/launcher=fork: CUDA is already initialised in this process; use joblib")
        trials = [self._trial_config(initial_job_idx + i, list(o)) for i, o in enumerate(job_overrides)]
        log.info(
            "Launching %d trials, %d at once, %d torch thread(s) each; each trial's output: %s",
            len(trials),
            self.n_jobs,
            self.threads,
            sweep_dir / "<n>" / "console.log",
        )
        handlers = {signum: signal.signal(signum, self._on_signal) for signum in STOP_SIGNALS}
        try:
            results = self._run_all(trials)
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
        for config in trials:  # stdout carries results, in job order, as when trials run in this process
            best = (runs.read_json(self._folder(config) / runs.RESULTS) or {}).get("best_ckpt")
            if best:
                print(best, flush=True)
        if self._signum is not None:
            resume = runs.resume_command(sys.argv[1:], sweep_dir.name)
            print(f"sweep stopped by {signal_name(self._signum)}; resume: {resume}", file=sys.stderr, flush=True)
            sys.exit(128 + self._signum)
        return [results[config.hydra.job.num] for config in trials]

    def _trial_config(self, idx: int, overrides: list[str]) -> DictConfig:
        config = self.hydra_context.config_loader.load_sweep_config(self.config, overrides)
        with open_dict(config):
            config.hydra.job.id = idx
            config.hydra.job.num = idx
        return config

    @staticmethod
    def _folder(config: DictConfig) -> Path:
        return Path(str(config.hydra.sweep.dir)) / str(config.hydra.sweep.subdir)

    def _on_signal(self, signum: int, frame: Any) -> None:
        """Stop starting trials and pass the signal on to the running ones (SIGHUP as SIGTERM)."""
        self._signum = self._signum or signum
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    def _run_all(self, trials: list[DictConfig]) -> dict[int, JobReturn]:
        waiting, running, results = list(trials), {}, {}
        overrides = [filter_overrides(config.hydra.overrides.task) for config in trials]
        shared = set.intersection(*map(set, overrides)) if len(trials) > 1 else set()
        varied = {c.hydra.job.num: " ".join(o for o in given if o not in shared) for c, given in zip(trials, overrides)}
        context = multiprocessing.get_context("fork")
        try:
            while running or (waiting and self._signum is None):
                while waiting and len(running) < self.n_jobs and self._signum is None:
                    config = waiting.pop(0)
                    receive, send = context.Pipe(duplex=False)
                    child = context.Process(target=self._run_trial, args=(config, send), daemon=False)
                    sys.stdout.flush(), sys.stderr.flush()  # else the child would inherit and print them again
                    # a stop signal waits until the child is counted among the running, and the child takes
                    # it once its own handlers are in place
                    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
                    try:
                        child.start()
                    finally:
                        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                    send.close()  # the child's end: when the child exits, reading ours ends
                    running[receive] = (config, child, time.perf_counter())
                    log.info("#%d %s: started", config.hydra.job.num, varied[config.hydra.job.num])
                for receive in wait(list(running)):
                    config, child, start = running.pop(receive)
                    results[config.hydra.job.num] = self._collect(receive, config, child, time.perf_counter() - start)
        finally:  # the launcher failed: its trials stop too, rather than run on with nobody collecting them
            for _, child, _ in running.values():
                if child.is_alive():
                    os.kill(child.pid, signal.SIGTERM)
                child.join()
        return results

    def _run_trial(self, config: DictConfig, send: Connection) -> None:
        """In the child: its own process group (a Ctrl-C at the terminal reaches the launcher alone, which
        passes it on), SIGTERM when the launcher dies, its own console.log and threads, then the trial."""
        os.setpgrp()
        if sys.platform == "linux":
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if os.getppid() == 1:  # the launcher died before prctl: nobody would collect this trial
            os._exit(128 + signal.SIGTERM)
        folder = self._folder(config)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "console.log", "ab", buffering=0) as console:
            os.dup2(console.fileno(), sys.stdout.fileno())
            os.dup2(console.fileno(), sys.stderr.fileno())
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(self.threads)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(self.threads)
        HydraConfig.instance().set_config(config)
        result = run_job(
            hydra_context=self.hydra_context,
            task_function=self.task_function,
            config=config,
            job_dir_key="hydra.sweep.dir",
            job_subdir_key="hydra.sweep.subdir",
        )
        try:
            send.send(result)
        except Exception as err:  # an unpicklable return value or exception: its words still travel
            failed = RuntimeError(f"the trial's result could not be sent back ({type(err).__name__}: {err})")
            send.send(JobReturn(overrides=result.overrides, status=JobStatus.FAILED, _return_value=failed))

    def _collect(self, receive: Connection, config: DictConfig, child: Any, seconds: float) -> JobReturn:
        """The trial's JobReturn; for a child that died without one: an error.json (unless the trial wrote
        its own) and +inf."""
        num, folder = config.hydra.job.num, self._folder(config)
        try:
            result = receive.recv()
        except EOFError:
            result = None
        child.join()
        receive.close()
        error = runs.read_json(folder / runs.ERROR) or {}
        if result is not None:
            value = result._return_value
            if result.status == JobStatus.FAILED or value == math.inf:  # train.py records why, then returns +inf
                log.error("#%d failed after %.1f s: %s (%s)", num, seconds, error.get("error", value), folder)
            else:
                log.info("#%d done in %.1f s: best val loss %s (%s)", num, seconds, value, folder)
            return result
        code = child.exitcode
        how = f"killed by {signal_name(-code)}" if code < 0 else f"exited with status {code}"
        if error.get("status") == "interrupted":  # it saved last.ckpt (if it had begun) and recorded the stop
            log.info("#%d stopped after %.1f s: %s (%s)", num, seconds, error.get("error"), folder)
        elif self._signum is not None:  # stopped by the sweep's signal before it could record that itself
            resume = runs.resume_command(sys.argv[1:], folder.parent.name)
            stop = RuntimeError(f"stopped by {signal_name(self._signum)} while starting")
            runs.record_error(folder, stop, status="interrupted", signal=self._signum, resume=resume)
            log.info("#%d stopped while starting (%s)", num, folder)
        else:
            if not error:
                runs.record_error(folder, RuntimeError(f"the trial's process {how}"))
            log.error("#%d %s after %.1f s (%s)", num, how, seconds, folder)
        return JobReturn(
            overrides=list(config.hydra.overrides.task), status=JobStatus.COMPLETED, _return_value=math.inf
        )
