"""The Python API: `import jazz_solo` is light, the README's example runs as written, solos match generate.py's."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from jazz_solo.config import GenerateConfig
from jazz_solo.errors import JazzSoloError
from jazz_solo.generation import generate


def readme_example() -> str:
    section = (ROOT / "README.md").read_text().split("## Python API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S)[1]


def test_the_readme_example_runs_as_written(trained_ckpt, tmp_path, monkeypatch, capsys):
    run = trained_ckpt.parent.parent  # the README loads a run folder
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example().replace('"outputs/demo"', repr(str(run))), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"seed [1-4]: \d+ notes, log-prob -\d+\.\d, first values \[.*\]", printed[0])
    assert re.fullmatch(r"val perplexity \d+\.\d\d, chord tones on beats [01]\.\d\d", printed[1])
    api = tmp_path / "outputs" / "api"  # under outputs/, as the demo's files
    assert (api / "best.mid").stat().st_size > 0 and (api / "best.png").stat().st_size > 0
    assert (api / "eval" / "report.md").exists()


def test_api_solos_are_generate_pys(trained_ckpt, tmp_path):
    import jazz_solo

    model = jazz_solo.load(trained_ckpt)
    settings = {"n": 3, "chords": "Dm7 G7 | Cmaj7", "strategy": "top_k", "seed": 5, "choruses": 2}
    solos = model.generate(**settings)
    paths = generate(GenerateConfig(ckpt=str(trained_ckpt), out=str(tmp_path / "cli"), **settings))
    for solo, path in zip(solos, paths):
        assert isinstance(solo, jazz_solo.Solo) and solo.end == 16 and solo.progression.length == 8
        assert solo.write_midi(tmp_path / path.name).read_bytes() == path.read_bytes()
    assert solos[0].render(tmp_path / "a.wav").stat().st_size > 44
    with pytest.raises(JazzSoloError, match="cannot write a solo as .txt"):
        solos[0].render(tmp_path / "a.txt")
    with pytest.raises(JazzSoloError, match="strategy must be one of"):
        model.generate(strategy="nucleus")
