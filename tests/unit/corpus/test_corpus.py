from collections import Counter

import pretty_midi

from jazz_solo.corpus.__main__ import write_corpus
from jazz_solo.corpus.embedded import HIGH, LOW, embedded_midi, embedded_scores
from jazz_solo.corpus.midi import read_midi


def test_corpus_is_deterministic_and_seeded():
    a, b = embedded_scores(), embedded_scores()
    assert [s.notes for s in a] == [s.notes for s in b]
    assert [s.notes for s in embedded_scores(seed=1)] != [s.notes for s in a]


def test_corpus_is_big_enough_and_in_range():
    scores = embedded_scores()
    notes = [n for s in scores for n in s.notes]
    assert len(notes) >= 2000
    assert all(LOW <= n.pitch <= HIGH and n.duration > 0 for n in notes)
    for score in scores:  # one line: sorted, no overlaps
        assert all(a.end <= b.start + 1e-9 for a, b in zip(score.notes, score.notes[1:]))
    names = " ".join(s.name for s in scores)
    for progression in ("ii-V-I", "minor ii-V-i", "blues", "turnaround"):
        assert progression in names


def test_corpus_reads_like_an_exercise_line():
    """Chord tones on the beats, half-step approaches into them, swung eighths, phrase-ending rests."""
    on_beat = chord_tones = approaches = rests = 0
    durations = Counter()
    for score in embedded_scores():
        notes = score.notes
        for note, nxt in zip(notes, notes[1:]):
            durations[round(note.duration, 3)] += 1
            if nxt.start - note.end >= 1:
                rests += 1
            if note.start == int(note.start):
                on_beat += 1
                chord_tones += note.pitch % 12 in score.progression.chord_at(note.start).pitch_classes
            target_chord = score.progression.chord_at(nxt.start)
            if (
                nxt.start == int(nxt.start)
                and abs(nxt.pitch - note.pitch) == 1
                and note.pitch % 12 not in target_chord.pitch_classes
            ):
                approaches += 1
    assert chord_tones / on_beat > 0.95
    assert approaches > 300
    assert rests > 200
    assert durations[0.667] > 1000 and durations[0.333] > 1000  # swung eighth pairs


def test_corpus_midi_reads_back_the_same_notes(tmp_path):
    paths = write_corpus(tmp_path, seed=0)
    assert len(paths) == len(embedded_midi())
    original = embedded_scores()[0]
    back = read_midi(paths[0])
    assert [(n.start, n.duration, n.pitch) for n in back.notes] == [
        (n.start, n.duration, n.pitch) for n in original.notes
    ]
    assert [s.chord for s in back.progression.spans] == [s.chord for s in original.progression.spans]
    assert back.progression.tempo == original.progression.tempo
    assert len(pretty_midi.PrettyMIDI(str(paths[0])).instruments) == 2
