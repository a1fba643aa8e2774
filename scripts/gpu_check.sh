#!/usr/bin/env bash
# `make gpu-check`: the one prepared GPU check (benchmarks/gpu.py), on a lent GPU machine or here.
# The GPU machine has torch and Lightning but none of our other dependencies, and no network: what it
# lacks comes from the wheels `make gpu-wheels` put in .whl/, installed in seconds into a folder of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
if ! "$PY" -c "import hydra, omegaconf, pretty_midi, mido" 2>/dev/null; then
    if ! ls .whl/*.whl >/dev/null 2>&1; then
        echo "error: $PY lacks hydra-core/pretty_midi and there is no .whl/ (run 'make gpu-wheels' where pip can download)" >&2
        exit 2
    fi
    site=${TMPDIR:-/tmp}/jazz_solo_gpu_site
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$site" .whl/*.whl
    export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 WANDB_MODE=disabled
exec "$PY" -m benchmarks gpu "$@"
