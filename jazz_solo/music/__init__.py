"""The music side of the pipeline, in pure Python (no torch): MIDI <-> score <-> values."""
