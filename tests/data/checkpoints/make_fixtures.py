"""Write the checkpoint fixtures of tests/unit/test_checkpoint.py: tiny models (n_a 8) trained for one
epoch by train.py's code before the package was re-laid out (commit dc48e91), and the solos they gave then.

    python tests/data/checkpoints/make_fixtures.py   # from the repository root; only when the format changes
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/, for conftest's tiny config

from conftest import tiny_train_config  # noqa: E402
from jazz_solo import load  # noqa: E402
from jazz_solo.training.fit import fit  # noqa: E402


def main() -> None:
    expected = {}
    for condition in ("none", "chords"):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = tiny_train_config(Path(tmp))
            cfg = replace(cfg, model=replace(cfg.model, n_a=8, condition=condition))
            cfg.trainer["max_epochs"] = 1
            name = f"condition_{condition}.ckpt"
            shutil.copy(fit(cfg), HERE / name)
        # grid=False: the solos as the network draws them, the checkpoint format's test (not the grid's);
        # realise=centre: the realisation the recorded pitches were made with
        settings = {"chords": "Dm7 G7 | Cmaj7", "strategy": "sample", "seed": 4, "grid": False, "realise": "centre"}
        solos = load(HERE / name).generate(n=2, length=24, **settings)
        expected[name] = [
            {"values": s.values, "log_prob": s.log_prob, "pitches": [n.pitch for n in s.notes]} for s in solos
        ]
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
