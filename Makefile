# Two commands set everything up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TORCH_VERSION ?= 2.13.0

.PHONY: demo test lint bench sweep clean data wjazzd

# The pinned torch goes in first: a bare `torch` requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==$(TORCH_VERSION)
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	rm -rf outputs/demo  # a fresh run each time: no checkpoints of an earlier demo left beside the new ones
	$(PY) train.py experiment=demo hydra.run.dir=outputs/demo
	$(PY) generate.py ckpt=outputs/demo out=outputs/demo/solos overwrite=true n=1 length=96 strategy=sample temperature=0.8

# The classic exercise's MIDI file (third-party media, never committed): checked against its sha256.
data: $(STAMP)
	$(PY) -m jazz_solo.music download classic data/original_metheny.mid

# The Weimar Jazz Database's CSV files (ODbL, never committed): each checked against its sha256.
wjazzd: $(STAMP)
	$(PY) -m jazz_solo.music download wjazzd data/wjazzd

# The n_a x Tx grid (9 runs) at a CPU-sized budget: a few minutes on 2 cores. Report: last line printed.
SWEEP_ARGS ?= trainer.max_epochs=8 +trainer.limit_train_batches=40 logger=csv
sweep: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) train.py -m experiment=sweep_na_tx $(SWEEP_ARGS)

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -m "slow or not slow" -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: $(STAMP)
	$(PY) -m jazz_solo.bench

clean:
	rm -rf outputs solos .pytest_cache
