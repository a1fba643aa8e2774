"""One kind of error for bad user input, and the wrapper that turns it into one line on stderr."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from hydra.errors import HydraException, InstantiationException
from omegaconf.errors import OmegaConfBaseException

from jazz_solo.startup import interrupted

T = TypeVar("T")
# Optional pieces a config can ask for: what an error names -> (what it is, the pyproject extra installing it)
EXTRAS = {
    "tensorboard": ("the tensorboard package", "tensorboard"),
    "hydra/sweeper/optuna": ("Hydra's Optuna sweeper", "sweep"),
    "hydra/launcher/submitit": ("Hydra's submitit launcher", "sweep"),
    "hydra/launcher/joblib": ("Hydra's joblib launcher", "sweep"),
}


def missing_extra(text: str) -> str | None:
    """'<what> is not installed: pip install ...' when an error's text names an optional piece, else None."""
    for name, (what, extra) in EXTRAS.items():
        if name in text:
            return f'{what} is not installed: pip install -e ".[{extra}]"'
    return None


def first_line(err: BaseException) -> str:
    """An error's first line of message, or its type's name when it has none."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def first_lines(err: BaseException) -> str:
    """An error's message on one line, without OmegaConf's indented details or Hydra's search path."""
    text = str(err).split("Config search path:")[0]
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith(" ")]
    return " ".join(lines) or type(err).__name__


def hydra_entry(main: Callable[[], object]) -> None:
    """Run a @hydra.main function so Hydra's own errors (an unknown key, a bad override or group option)
    are one line on stderr and exit status 2 too, like ours (see one_line_errors)."""
    os.environ["HYDRA_FULL_ERROR"] = "1"  # else Hydra prints several lines itself and exits with 1
    try:
        main()
    except KeyboardInterrupt:  # in Hydra's own start-up or teardown, outside one_line_errors
        interrupted()
    except (HydraException, OmegaConfBaseException) as err:
        cause = f" ({first_lines(err.__cause__)})" if err.__cause__ is not None else ""
        message = f"config: {first_lines(err)}{cause}"
        if isinstance(err, InstantiationException) and err.__cause__ is not None:  # e.g. hydra.launcher's own check
            message = f"config: {first_lines(err.__cause__)}"
        chords = next((a for a in sys.argv[1:] if re.match(r"\+*[\w.]*chords=", a) and a in message), None)
        if chords:  # `#`, `(`, `,`, `ø` in a progression are Hydra override syntax, or not allowed unquoted
            key = chords.split("=")[0].lstrip("+")
            message = (
                f"config: Hydra cannot read the override {chords!r} unquoted: quote the progression for Hydra, "
                f"inside quotes for the shell, e.g. '{key}=\"F#m7b5 B7 | Em7\"', or put it in a file: {key}=changes.txt"
            )
        elif "Could not find" in message and (extra := missing_extra(message)):  # e.g. optuna without its plugin
            message = f"config: {extra}"
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


class JazzSoloError(Exception):
    """A problem with the user's input (file, config value, checkpoint): message says what and where."""


def one_line_errors(main: Callable[..., T]) -> Callable[..., T]:
    """Run `main`; on bad input print `error: ...` on stderr and exit with status 2 (no traceback)."""

    @wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except JazzSoloError as err:
            message = str(err)
        except KeyboardInterrupt:  # Ctrl-C outside training (which stops gracefully, see train.py): no traceback
            interrupted()
        except BrokenPipeError:  # the reader of stdout went away (`... | head`): stop quietly, as Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
            sys.exit(1)
        except OmegaConfBaseException as err:
            # OmegaConf messages span lines (value, full_key, object_type): keep what and where.
            key = getattr(err, "full_key", None)
            first = first_line(err)
            message = f"config: {first}" + (f" (at {key})" if key and key not in first else "")
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)

    return wrapper
