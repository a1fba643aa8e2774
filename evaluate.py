"""Evaluate a checkpoint against its corpus and baselines; write a report to look at and listen to. Examples:

    python evaluate.py ckpt=outputs/train/.../checkpoints/last.ckpt
    python evaluate.py ckpt=model.ckpt n=500 temperature=0.8 out=eval/ overwrite=true

Prints the report's path on stdout (logs go to stderr).
"""

from jazz_solo.startup import quiet_interrupts

with quiet_interrupts():  # first: the imports take seconds, and Ctrl-C in them is one line too
    import hydra
    from omegaconf import DictConfig

    from jazz_solo.cli import load
    from jazz_solo.config import EvaluateConfig
    from jazz_solo.errors import hydra_entry, one_line_errors


@hydra.main(config_path="conf", config_name="evaluate", version_base="1.3")
@one_line_errors
def main(cfg: DictConfig) -> None:
    settings = load(EvaluateConfig, cfg)  # checked before torch is imported: a bad value is one line at once
    with quiet_interrupts():
        from jazz_solo.evaluation.evaluate import evaluate
    print(evaluate(settings).report, flush=True)


if __name__ == "__main__":
    hydra_entry(main)
