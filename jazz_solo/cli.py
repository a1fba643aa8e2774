"""What the entry points share around Hydra: loading a composed config into its schema, `--help`'s option
list, list overrides, and the Hydra callback that checks a training config before its run folder exists.

Importing this module registers the `options_help` resolver that conf/*.yaml's help templates use.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from jazz_solo.config import TrainConfig
from jazz_solo.errors import one_line_errors
from jazz_solo.runs import claim_folder
from jazz_solo.startup import quiet_interrupts


def list_override(arg: str, key: str) -> str:
    """`key=a,b` or `key=a` on a command line as Hydra's list `key=[a,b]` (Hydra reads a bare `a,b` as a
    sweep and refuses it without --multirun); other arguments unchanged."""
    name, sep, value = arg.partition("=")
    if name != key or not sep or value.startswith("["):
        return arg
    return f"{key}=[{value}]"


CONF = Path(__file__).resolve().parents[1] / "conf"
_OPTION = re.compile(r"^(\w+): *(.*?) *(?:# *(.*))?$")  # a top-level `key: value  # what it does` line


def options_help(config_name: str, prefix: str = "") -> str:
    """`--help`'s list of options: one line per top-level key of conf/<config_name>.yaml (e.g. "generate",
    "data/default" with prefix "data."), with its default and the comment beside it, so that the YAML's
    comments are the one place the options are described. Keys whose comment starts with "(set by" are left out."""
    lines = []
    for line in (CONF / f"{config_name}.yaml").read_text().splitlines():
        match = _OPTION.match(line)
        if match and match[1] not in ("defaults", "hydra") and not (match[3] or "").startswith("(set by"):
            key, value, what = prefix + match[1], match[2], match[3] or ""
            shown = f"{key}=..." if value == "???" else f"{key}={value}"
            lines.append(f"  {shown:<22} {'(required) ' if value == '???' else ''}{what}")
    return "\n".join(lines).replace("$", "$$")  # Hydra fills the help template with string.Template: $$ is a $


OmegaConf.register_new_resolver("options_help", options_help, replace=True)  # conf/*.yaml's hydra.help.template

C = TypeVar("C")


def load(schema: type[C], cfg: DictConfig) -> C:
    """Check a composed config against its dataclass and return the dataclass instance."""
    merged = OmegaConf.merge(OmegaConf.structured(schema), cfg)
    return OmegaConf.to_object(merged)


class CheckAtStart(Callback):
    """Hydra callback (conf/train.yaml): the training config is checked before Hydra makes the run's folder,
    so a bad value leaves no folder behind. In a sweep the shared values are checked once at its start;
    each run checks the values swept over (a bad one fails that run alone)."""

    # quiet_interrupts: Hydra would turn what a Ctrl-C leaves here (a half-made import's error) into a warning
    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        with quiet_interrupts():
            self.check(config, Path(config.hydra.run.dir), sweep=False)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        with quiet_interrupts():
            self.check(config, Path(config.hydra.sweep.dir), sweep=True)

    @staticmethod
    def check(config: DictConfig, folder: Path, sweep: bool) -> None:
        task = OmegaConf.masked_copy(config, [key for key in config if key != "hydra"])
        task.output_dir = str(folder)
        # one_line_errors exits: Hydra would turn an exception here into a warning and go on
        cfg = one_line_errors(load)(TrainConfig, task)
        from pytorch_lightning.utilities import rank_zero_only  # the process's rank, from the environment

        if rank_zero_only.rank == 0:  # DDP's other processes run train.py again, in the folder rank 0 claimed
            one_line_errors(claim_folder)(folder, sweep, cfg.ckpt_path is not None, cfg.overwrite)
