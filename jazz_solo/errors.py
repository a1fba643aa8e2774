"""One kind of error for bad user input, and the wrapper that turns it into one line on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from omegaconf.errors import OmegaConfBaseException

T = TypeVar("T")


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
        except OmegaConfBaseException as err:
            # OmegaConf messages span lines (value, full_key, object_type): keep what and where.
            key = getattr(err, "full_key", None)
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            message = f"config: {first}" + (f" (at {key})" if key and key not in first else "")
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)

    return wrapper
