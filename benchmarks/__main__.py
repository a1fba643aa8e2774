"""python -m benchmarks [sampler|train|hooks|sweep|gpu] [--json] ...: run one benchmark and print its table."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    target = argv[0] if argv and not argv[0].startswith("-") else "sampler"
    rest = argv[1:] if argv and argv[0] == target else argv
    if target == "gpu":
        from benchmarks.gpu import main as run
    elif target == "sampler":
        from benchmarks.sampler import main as run
    elif target == "hooks":
        from benchmarks.hooks import main as run
    elif target == "sweep":
        from benchmarks.sweep import main as run
    elif target == "train":
        from benchmarks.training import main as run
    else:
        sys.exit(f"error: unknown benchmark {target!r} (choose sampler, train, hooks, sweep or gpu)")
    run(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
