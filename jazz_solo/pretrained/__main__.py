"""The maintainer's command for the shipped models:

python -m jazz_solo.pretrained export RUN_OR_CKPT NAME   # writes jazz_solo/pretrained/NAME.pt (and NAME.md if none)
python -m jazz_solo.pretrained list                      # the names `ckpt=pretrained:NAME` takes

$JAZZ_SOLO_PRETRAINED, when set, names the folder written and read instead of the package's.
"""

from __future__ import annotations

import argparse

from jazz_solo.errors import one_line_errors
from jazz_solo.pretrained import PRETRAINED_PREFIX, available


@one_line_errors
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m jazz_solo.pretrained", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write a trained model into the pretrained folder, weights only")
    export.add_argument("source", help="a checkpoint train.py wrote, or its run folder (its best checkpoint)")
    export.add_argument("name", help="the model's name: ckpt=pretrained:NAME")
    commands.add_parser("list", help="the pretrained models there are")
    args = parser.parse_args(argv)
    if args.command == "list":
        for name in available():
            print(PRETRAINED_PREFIX + name)
        return
    from jazz_solo.pretrained.export import export as write  # imports torch: only for the export

    model, card = write(args.source, args.name)
    print(f"{model}: {model.stat().st_size / 2**20:.2f} MiB")
    if card is not None:
        print(f"{card}: a skeleton model card, to complete by hand")


if __name__ == "__main__":
    main()
