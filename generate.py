"""Generate jazz solos from a checkpoint alone. Examples:

    python generate.py ckpt=outputs/train/.../checkpoints/last.ckpt
    python generate.py ckpt=model.ckpt n=10 strategy=sample temperature=0.8 seed=3 out=solos/
    python generate.py ckpt=model.ckpt bars=16 render=png,wav,musicxml   # 16 bars; piano roll, WAV, lead sheet

Prints each file written on stdout, one per line: a solo's .mid, then its render= files (logs go to stderr).
"""

from jazz_solo.startup import quiet_interrupts

with quiet_interrupts():  # first: the imports take seconds, and Ctrl-C in them is one line too
    import sys

    import hydra
    from omegaconf import DictConfig

    from jazz_solo.cli import list_override, load
    from jazz_solo.config import GenerateConfig
    from jazz_solo.errors import hydra_entry, one_line_errors


@hydra.main(config_path="conf", config_name="generate", version_base="1.3")
@one_line_errors
def main(cfg: DictConfig) -> None:
    settings = load(GenerateConfig, cfg)  # checked before torch is imported: a bad value is one line at once
    with quiet_interrupts():
        from jazz_solo.generation import generate
        from jazz_solo.music.solo import SUFFIXES
    for path in generate(settings):
        for file in [path, *(path.with_suffix(SUFFIXES[kind]) for kind in settings.render)]:
            print(file, flush=True)


if __name__ == "__main__":
    sys.argv = [list_override(arg, "render") for arg in sys.argv]
    hydra_entry(main)
