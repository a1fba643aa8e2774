"""Music commands (no torch needed):

python -m jazz_solo.music corpus DEST      # write the embedded corpus as .mid files
"""

from __future__ import annotations

import argparse
from pathlib import Path

from jazz_solo.errors import JazzSoloError, one_line_errors
from jazz_solo.music.corpus import DEFAULT_SEED, embedded_midi
from jazz_solo.music.render import write_midi


def write_corpus(dest: Path, seed: int) -> list[Path]:
    return [write_midi(pm, dest / name) for name, pm in embedded_midi(seed)]


@one_line_errors
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jazz_solo.music", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    corpus = commands.add_parser("corpus", help="write the embedded corpus as .mid files")
    corpus.add_argument("dest", type=Path, help="folder to write into")
    corpus.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.command == "corpus":
        if args.dest.exists() and not args.dest.is_dir():
            raise JazzSoloError(f"{args.dest}: exists and is not a folder")
        for path in write_corpus(args.dest, args.seed):
            print(path)


if __name__ == "__main__":
    main()
