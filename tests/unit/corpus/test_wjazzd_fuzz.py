"""Fuzz the WJazzD CSV reader like the MIDI reader: 1-3 mutations of a real solo's files, each read or
one JazzSoloError line, within a bounded time per case."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import WJAZZD_EXTRACT
from jazz_solo.corpus import wjazzd
from jazz_solo.errors import JazzSoloError

SOLO = "KidOry_SavoyBlues_FINAL"
FILES = (f"mcsv_melody/{SOLO}.csv", f"mcsv_beat/{SOLO}_beattrack.csv")  # as the download lays them out
ORIGINAL = {name: (WJAZZD_EXTRACT / name).read_bytes() for name in FILES}
SPECIAL = [b"", b"nan", b"inf", b"-1e9", b"1e6", b"1e400", b"0", b"0.0", b"60.5", b"0x1F", b'"', b"\xff", b"\0",
           b",", b"\r\n", b"(", b"C7(", b"4/0", b"onset"]  # fmt: skip
SECONDS = 5  # per case; a solo reads in milliseconds, a runaway in minutes


# (which file, how, what, where): replace or insert bytes at a place, cut the file there, or repeat its line
MUTATION = st.tuples(
    st.integers(0, len(FILES) - 1),
    st.sampled_from(["replace", "insert", "cut", "repeat"]),
    st.one_of(st.sampled_from(SPECIAL), st.binary(max_size=8)),
    st.integers(0, 10**6),
)


def mutated(data: bytes, how: str, what: bytes, at: int) -> bytes:
    at %= len(data) + 1
    if how == "replace":
        return data[:at] + what + data[at + len(what) :]
    if how == "insert":
        return data[:at] + what + data[at:]
    if how == "cut":
        return data[:at]
    lines = data.splitlines(keepends=True) or [b""]
    i = at % len(lines)
    return b"".join(lines[: i + 1] + lines[i:])


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_a_mutated_solo_reads_or_is_one_line(tmp_path_factory, mutations):
    folder = tmp_path_factory.mktemp("fuzz")
    data = dict(ORIGINAL)
    for file, how, what, at in mutations:
        data[FILES[file]] = mutated(data[FILES[file]], how, what, at)
    for name, content in data.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    started = time.perf_counter()
    try:
        infos = wjazzd.read_infos(folder)
        wjazzd.note_labels(folder, infos)
        (score,) = wjazzd.read_solos(folder, infos, "legato")
        assert score.notes
    except JazzSoloError as err:
        assert "\n" not in str(err) and str(folder) in str(err)
    assert time.perf_counter() - started < SECONDS
