"""The sweep report: one row per run of a multirun folder, and a heatmap of best val loss over n_a x Tx
(with what differs between the val losses of different Tx, and evaluate.py's baselines said as such).

    python -m jazz_solo.training.sweep_report outputs/sweep/<name>     # any time, also while a sweep runs

Writes report.csv, report.md and heatmap.png in the sweep folder (atomically). Hydra's callback
sweep_callback.SweepReport writes it when a multirun ends (conf/train.yaml), or stops early. Runs that
failed or never finished are listed with the reason. Extra per-run numbers (e.g. musical metrics from
evaluation) join as columns when a run folder holds a metrics.json (see jazz_solo/runs.py).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import math
import os
import sys
from pathlib import Path

from jazz_solo import runs
from jazz_solo.atomic import write_text
from jazz_solo.errors import JazzSoloError, one_line_errors

log = logging.getLogger(__name__)

COLUMNS = ["run", "status", "overrides", "best_val_loss", "val_perplexity", "val_acc", "val_windows"]
COLUMNS += ["epochs", "wall_time_s"]
COLUMNS_END = ["best_ckpt", "error"]


def find_runs(sweep_dir: Path) -> list[Path]:
    """The run folders of a sweep: its sub-folders with a Hydra record or a result, by job number."""

    def is_run(path: Path) -> bool:
        return path.is_dir() and any((path / name).exists() for name in (".hydra", runs.RESULTS, runs.ERROR))

    def job_order(path: Path) -> tuple:
        return (0, int(path.name), "") if path.name.isdigit() else (1, 0, path.name)

    return sorted((p for p in sweep_dir.iterdir() if is_run(p)), key=job_order)


def _setting(run: dict, section: str, key: str, override: str):
    """A run's setting: from its resolved config, else from its overrides (failed runs have no config)."""
    value = run.get("config", {}).get(section, {}).get(key)
    if value is None:
        for item in run["overrides"]:
            name, _, text = item.partition("=")
            if name.lstrip("+~") == override:
                value = text
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def collect(sweep_dir: str | os.PathLike) -> tuple[list[dict], list[str]]:
    """(rows, overrides shared by every run). Each row: the report's columns plus n_a, Tx and extras."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise JazzSoloError(f"{sweep_dir}: no such sweep folder")
    run_dirs = find_runs(sweep_dir)
    if not run_dirs:
        what = "a single run's folder" if (sweep_dir / ".hydra").is_dir() else "a folder with no runs in it"
        raise JazzSoloError(f"{sweep_dir}: {what}, not a sweep's (outputs/sweep/<name>, one folder per run)")
    records = [runs.read_run(path) for path in run_dirs]
    settings = [[o for o in run["overrides"] if runs.is_setting(o)] for run in records]  # a resume adds ckpt_path
    shared = [o for o in settings[0] if all(o in s for s in settings)]
    rows = []
    for path, run, overrides in zip(run_dirs, records, settings):
        row = {
            "run": path.name,
            "status": run["status"],
            "overrides": " ".join(o for o in overrides if o not in shared),
            **{key: run.get(key) for key in COLUMNS[3:] + COLUMNS_END},
            "n_a": _setting(run, "model", "n_a", "model.n_a"),
            "Tx": _setting(run, "data", "Tx", "data.Tx"),
        }
        if row["best_ckpt"]:
            row["best_ckpt"] = os.path.relpath(row["best_ckpt"], sweep_dir)
        row.update(run["extra"])
        rows.append(row)
    return rows, shared


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return str(value)


def extra_columns(rows: list[dict]) -> list[str]:
    """The columns beyond the losses: evaluate.py's music figures first, each with its reference beside it,
    then any other numbers the runs' folders hold, by name."""
    known = set(COLUMNS + COLUMNS_END + ["n_a", "Tx"])
    found = {key for row in rows for key in row if key not in known}
    music = [k for pair in runs.MUSIC_KEYS.items() for k in pair if k in found]
    return music + sorted(found - set(music))


def to_csv(rows: list[dict]) -> str:
    columns = COLUMNS + ["n_a", "Tx"] + extra_columns(rows) + COLUMNS_END
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_markdown(rows: list[dict], shared: list[str], sweep_dir: Path, heatmap: Path | None) -> str:
    ok = [r for r in rows if r["status"] == "ok" and r["best_val_loss"] is not None]
    lines = [f"# Sweep report: {sweep_dir}", ""]
    lines.append(f"{len(rows)} runs: {len(ok)} finished, {len(rows) - len(ok)} failed or unfinished.")
    if shared:
        lines.append(f"Every run: `{' '.join(shared)}`.")
    if ok:
        best = min(ok, key=lambda r: r["best_val_loss"])
        lines.append(f"Best: run {best['run']} (`{best['overrides']}`), val loss {_fmt(best['best_val_loss'])}.")
    lines += baseline_lines(rows)
    if any(key in row for row in rows for key in runs.MUSIC_KEYS):
        lines.append(
            "Beside each music column its reference: `heldout_*`, what the held-out corpus scores (the figure to "
            "aim at); `c2st_control_accuracy`, the classifier between two halves of real solos (chance; "
            "`c2st_accuracy` near 1: the solos give themselves away; experts manage 0.644 on published "
            "computer-made solos)."
        )
    lines.append("")
    baselines = [key for key in runs.BASELINES.values() if len(_values(rows, key)) == 1]  # said once above
    columns = COLUMNS + [c for c in extra_columns(rows) if c not in baselines] + ["best_ckpt"]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * len(columns))
    for row in sorted(rows, key=lambda r: (r["status"] != "ok", r["best_val_loss"] or math.inf)):
        cells = [_fmt(row.get(c)).replace("|", "\\|") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    failed = [r for r in rows if r["status"] != "ok"]
    if failed:
        lines += ["", "## Failed or unfinished runs", ""]
        lines += [f"- run {r['run']} (`{r['overrides']}`): {r['status']}: {r['error']}" for r in failed]
    lines.append("")
    lines.append(f"![best val loss over n_a x Tx]({heatmap.name})" if heatmap else "No heatmap: no finished run.")
    lines += across_tx_lines(rows)
    return "\n".join(lines) + "\n"


def _values(rows: list[dict], key: str) -> set:
    """The distinct values (to 4 significant digits) finished runs have for `key`."""
    return {_fmt(r[key]) for r in rows if r["status"] == "ok" and r.get(key) is not None}


def baseline_lines(rows: list[dict]) -> list[str]:
    """Baselines are not the runs' own figures: one line when every run has the same (same data settings)."""
    shared = [key for key in runs.BASELINES.values() if len(_values(rows, key)) == 1]
    return [
        f"Baseline, not a model figure: a bigram model of the training split (add-one) has validation perplexity "
        f"{_values(rows, key).pop()} in every evaluated run; compare it with the runs' val_perplexity."
        for key in shared
    ] + [
        f"`{key}` is a baseline (a bigram model of the training split), not the run's model; it differs "
        "between runs because their data settings do."
        for key in runs.BASELINES.values()
        if len(_values(rows, key)) > 1
    ]


def across_tx_lines(rows: list[dict]) -> list[str]:
    """What differs between the val losses of runs with different data.Tx (the heatmap's columns)."""
    windows: dict[int, set] = {}
    for row in rows:
        if row["status"] == "ok" and row["Tx"]:
            windows.setdefault(row["Tx"], set()).add(_fmt(row.get("val_windows")) or "?")
    if len(windows) < 2:
        return []
    counts = ", ".join(f"Tx={tx}: {'/'.join(sorted(n))}" for tx, n in sorted(windows.items()))
    return [
        "",
        "**Across Tx the val losses are not measured alike.** Every run holds out the same values (the split "
        "does not depend on Tx), but the val loss is a mean over sliding windows of Tx + 1 values: a held-out "
        "value is scored once per window it is in (up to Tx times, each with another amount of context), and "
        f"held-out pieces shorter than Tx + 1 values drop out. Validation windows per Tx: {counts}. Compare "
        "runs within a Tx column; across columns, read the differences as indicative only.",
    ]


def save_heatmap(rows: list[dict], path: Path) -> Path | None:
    """Best val loss per (n_a, Tx) cell (the lowest, when other settings vary too); None without data.

    Cells of runs that failed or did not finish read "no result"."""
    done = [r for r in rows if r["status"] == "ok" and r["best_val_loss"] is not None and r["n_a"] and r["Tx"]]
    cells: dict[tuple[int, int], float] = {}
    for row in done:
        key = (row["n_a"], row["Tx"])
        cells[key] = min(cells.get(key, math.inf), row["best_val_loss"])
    if not cells:
        return None
    from jazz_solo.music.pianoroll import plt, save_figure

    n_as = sorted({r["n_a"] for r in rows if r["n_a"]})
    txs = sorted({r["Tx"] for r in rows if r["Tx"]})
    grid = [[cells.get((n, t), math.nan) for t in txs] for n in n_as]
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(txs), 1.2 + 0.9 * len(n_as)))
    image = ax.imshow(grid, cmap="viridis_r", origin="lower", aspect="auto")
    for i, line in enumerate(grid):
        for j, value in enumerate(line):
            dark = not math.isnan(value) and image.norm(value) > 0.5  # high losses are dark in viridis_r
            text = "no result" if math.isnan(value) else f"{value:.3f}"
            ax.text(j, i, text, ha="center", va="center", color="white" if dark else "black")
    ax.set_xticks(range(len(txs)), [str(t) for t in txs])
    ax.set_yticks(range(len(n_as)), [str(n) for n in n_as])
    ax.set_xlabel("Tx (window length)")
    ax.set_ylabel("n_a (hidden units)")
    title = "best val loss" + (" (lowest per cell)" if len(cells) < len(done) else "")
    ax.set_title(title + ("\nval windows differ across Tx: see report.md" if len(txs) > 1 else ""))
    fig.colorbar(image, ax=ax)
    return save_figure(fig, path)


def evaluate_runs(sweep_dir: Path, n: int) -> None:
    """Run evaluate.py's measures (n solos, no audio) on each finished run not evaluated yet."""
    from jazz_solo.evaluation.evaluate import evaluate_checkpoint

    for path in find_runs(sweep_dir):
        run = runs.read_run(path)
        if run["status"] == "ok" and run.get("best_ckpt") and not (path / runs.EVALUATION).exists():
            log.info("evaluating %s", path)
            try:
                evaluate_checkpoint(run["best_ckpt"], n=n, out=str(path / runs.EVALUATION.parent), audio=False)
            except JazzSoloError as err:  # the report is written all the same, without this run's measures
                log.error("run %s: evaluation failed: %s", path.name, err)


def write_report(sweep_dir: str | os.PathLike, evaluate: int = 0) -> tuple[Path, list[dict]]:
    """Write report.csv, report.md and heatmap.png in `sweep_dir`; return report.md's path and the rows.

    evaluate > 0: first evaluate every finished run's best checkpoint with that many solos, so the report
    shows the musical measures (runs.MUSIC_KEYS) next to the losses.
    """
    sweep_dir = Path(sweep_dir)
    if evaluate > 0 and sweep_dir.is_dir():
        evaluate_runs(sweep_dir, evaluate)
    rows, shared = collect(sweep_dir)
    write_text(sweep_dir / "report.csv", to_csv(rows))
    heatmap = save_heatmap(rows, sweep_dir / "heatmap.png")
    if heatmap is None:
        (sweep_dir / "heatmap.png").unlink(missing_ok=True)  # an old one would no longer be true
    return write_text(sweep_dir / "report.md", to_markdown(rows, shared, sweep_dir, heatmap)), rows


@one_line_errors
def main(argv: list[str]) -> None:
    prog = "python -m jazz_solo.training.sweep_report"
    parser = argparse.ArgumentParser(prog=prog, description="Write a sweep's report.")
    parser.add_argument("sweep_dir", help="the multirun folder, e.g. outputs/sweep/<name>")
    parser.add_argument("--evaluate", type=int, default=0, metavar="N", help="first evaluate each run with N solos")
    args = parser.parse_args(argv)
    if args.evaluate == 1 or args.evaluate < 0:
        raise JazzSoloError(f"--evaluate takes 0 (off) or a number of solos >= 2, got {args.evaluate}")
    print(write_report(args.sweep_dir, args.evaluate)[0])


if __name__ == "__main__":
    main(sys.argv[1:])
