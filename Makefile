# Two commands set everything up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TORCH_VERSION ?= 2.13.0

.PHONY: demo test test-fast lint bench sweep clean data wjazzd gpu-wheels gpu-check

# The pinned torch goes in first: a bare `torch` requirement would pull a multi-GB CUDA build.
# pip's own progress bars show each download; an echo before each step says what and how big.
$(STAMP): pyproject.toml
	@echo "set-up 1/3: .venv and pip"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	@echo "set-up 2/3: torch $(TORCH_VERSION), CPU build (about 200 MB to download, 750 MB installed)"
	$(PY) -m pip install torch==$(TORCH_VERSION)
	@echo "set-up 3/3: Lightning, Hydra, wandb, matplotlib, music21, numba, pytest (about 150 MB, 800 MB installed)"
	$(PY) -m pip install -e ".[dev]"
	touch $(STAMP)
	@echo "set-up done: .venv (about 1.6 GB)"

demo: $(STAMP)
	rm -rf outputs/demo  # a fresh run each time: no checkpoints of an earlier demo left beside the new ones
	$(PY) train.py experiment=demo hydra.run.dir=outputs/demo
	$(PY) generate.py ckpt=outputs/demo out=outputs/demo/solos overwrite=true n=1 length=96 strategy=sample temperature=0.8 render=png,wav

# The classic exercise's MIDI file (third-party media, never committed): checked against its sha256.
data: $(STAMP)
	$(PY) -m jazz_solo.corpus download classic data/original_metheny.mid

# The Weimar Jazz Database's CSV files (ODbL, never committed): each checked against its sha256.
wjazzd: $(STAMP)
	$(PY) -m jazz_solo.corpus download wjazzd data/wjazzd

# The n_a x Tx grid (9 runs) at a CPU-sized budget, one trial per core at once (hydra/launcher=fork),
# each on one thread: under a minute on 2 cores. Report: last line printed.
SWEEP_ARGS ?= trainer.max_epochs=8 +trainer.limit_train_batches=40 logger=csv
sweep: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) train.py -m experiment=sweep_na_tx $(SWEEP_ARGS)

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -m "slow or not slow" -q -rs  # -rs: why each skipped test skipped

# The inner loop: the in-process library tests alone (no entry points run as processes, nothing slow).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not cli" -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: $(STAMP)
	$(PY) -m benchmarks

# The lent GPU machine (Python 3.12, torch and Lightning, no network) lacks these: their wheels go in .whl/
# (ignored; about 6 MB, all pure Python), which the device tool carries and gpu-check installs from.
GPU_WHEELS := hydra-core==1.3.8 omegaconf==2.3.1 hydra-joblib-launcher==1.2.0 pretty_midi==0.2.11.post0 mido==1.3.3 importlib_resources==6.5.2
gpu-wheels: $(STAMP)
	rm -rf .whl.tmp && mkdir .whl.tmp
	$(PY) -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
		--platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 -d .whl.tmp $(GPU_WHEELS)
	$(PY) -m pip wheel -q --no-deps -w .whl.tmp antlr4-python3-runtime==4.9.3  # an sdist only: built here
	rm -rf .whl && mv .whl.tmp .whl

# One go on a GPU (about 4 min on an H100): gpu tests, sampler and training benches, a sweep, generate.py.
# Without CUDA it runs the same code at a tiny size. Results: outputs/gpu_check/gpu_check.{json,md}.
GPU_CHECK_ARGS ?=
gpu-check:
	PY=$(if $(wildcard $(PY)),$(PY),python3) bash scripts/gpu_check.sh $(GPU_CHECK_ARGS)

clean:
	rm -rf outputs solos .pytest_cache .whl .whl.tmp
