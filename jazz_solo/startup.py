"""Ctrl-C while an entry point starts: one line and exit status 130, not a traceback from inside an import.

Importing torch, Lightning and Hydra takes seconds (15-20 s on a busy machine), long enough for a user
to change their mind. This module imports only `os` and `sys`, which the interpreter has loaded already (a
typing or contextlib import here would itself be a window for a traceback), so the entry points import it
first and their other imports inside
`quiet_interrupts()`; from there on errors.hydra_entry and one_line_errors (and, in training, the
callbacks' graceful stop) handle Ctrl-C. Only the interpreter's own start, before the first line of a
script runs, is left: a few milliseconds.
"""

import _signal  # the C module under `signal`, built in: importing it opens no window
import os
import sys

INTERRUPTED = 128 + 2  # the shell's status for a process that SIGINT stopped
received = False  # whether a SIGINT came while our handler was the one in place


def on_sigint(signum: int, frame: object) -> None:
    """Python's own handler (raise KeyboardInterrupt), remembered. Some imports swallow the exception: numpy's
    under torch's may go on with the Ctrl-C lost, or leave a half-made module whose next use raises a
    RecursionError. quiet_interrupts then still stops with one line."""
    global received
    received = True
    raise KeyboardInterrupt


if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:  # not where SIGINT is ignored (`cmd &`)
    _signal.signal(_signal.SIGINT, on_sigint)


def interrupted() -> None:
    """One line on stderr, then exit with status 130 at once.

    os._exit, not sys.exit: a Ctrl-C inside an import leaves that module half made, and the exit handlers
    of the ones already loaded (torch's reach into numpy) can then fail on it with a traceback of their own.
    Nothing is left half-written by skipping them: files are written atomically and the `finally` blocks
    between the interrupt and here have run."""
    print("interrupted", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(INTERRUPTED)


class quiet_interrupts:  # noqa: N801 - used like contextlib.suppress: `with quiet_interrupts():`
    """Ctrl-C inside the block: one line on stderr and exit 130, whatever the block then raised or not."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: object, trace: object) -> None:
        if received or (kind is not None and issubclass(kind, KeyboardInterrupt)):
            interrupted()
