"""Where solos come from and how they become values: the embedded corpus, MIDI files and WJazzD (sources),
their encoding, the vocabulary, the cache, the one train/val split, downloads, and the
`python -m jazz_solo.corpus` command (inspect, download, write). Pure Python: no torch."""
