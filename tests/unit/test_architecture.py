"""The layers of the package, read from its imports (ast, every import in a module, lazy ones too).

Data flows one way: corpus -> score -> values -> tensors -> model -> values -> score -> MIDI. A module
may import its own layer and the layers listed for it, nothing above: the music code never sees torch
or the configs' Hydra side, the network never sees data or runs, the sampler never sees a config.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "jazz_solo"

BASE = ["jazz_solo.errors", "jazz_solo.atomic", "jazz_solo.runs", "jazz_solo.startup", "jazz_solo.__version__"]
# layer -> the layers (module prefixes) it may import besides itself and BASE
ALLOWED = {
    "jazz_solo.startup": [],
    "jazz_solo.errors": [],
    "jazz_solo.atomic": [],
    "jazz_solo.runs": [],
    "jazz_solo.music": [],
    "jazz_solo.net": [],
    "jazz_solo.windows": [],
    "jazz_solo.scoring": ["jazz_solo.conditioning", "jazz_solo.sampling"],  # teacher forcing
    "jazz_solo.sampling": ["jazz_solo.net"],
    "jazz_solo.config": ["jazz_solo.music", "jazz_solo.sampling"],  # REALISE and STRATEGIES: torch-free names
    "jazz_solo.corpus": ["jazz_solo.music", "jazz_solo.config"],
    "jazz_solo.conditioning": ["jazz_solo.music", "jazz_solo.sampling"],
    "jazz_solo.pretrained": [],  # names and paths only: checkpoint.resolve_checkpoint reads it
    "jazz_solo.checkpoint": ["jazz_solo.net", "jazz_solo.conditioning", "jazz_solo.pretrained"],
    "jazz_solo.cli": ["jazz_solo.config"],
}
BELOW_GENERATION = [
    "jazz_solo.music", "jazz_solo.corpus", "jazz_solo.config", "jazz_solo.conditioning", "jazz_solo.windows",
    "jazz_solo.net", "jazz_solo.checkpoint", "jazz_solo.sampling", "jazz_solo.scoring", "jazz_solo.pretrained",
]  # fmt: skip
ALLOWED["jazz_solo.generation"] = BELOW_GENERATION
ALLOWED["jazz_solo.evaluation"] = BELOW_GENERATION + ["jazz_solo.generation"]
ALLOWED["jazz_solo.training"] = BELOW_GENERATION + ["jazz_solo.generation", "jazz_solo.evaluation"]
ALLOWED["jazz_solo.api"] = BELOW_GENERATION + ["jazz_solo.generation", "jazz_solo.evaluation"]
ALLOWED["jazz_solo"] = ["jazz_solo.api"]  # the package's lazy front
# the old command spellings, kept as one-line forwards
ALLOWED["jazz_solo.report"] = ["jazz_solo.training"]
ALLOWED["jazz_solo.music.__main__"] = ["jazz_solo.corpus"]
# the maintainer's export of a trained model into the pretrained folder (its command imports it lazily)
ALLOWED["jazz_solo.pretrained.export"] = [
    "jazz_solo.pretrained",
    "jazz_solo.checkpoint",
    "jazz_solo.music",
    "jazz_solo.corpus",
]
ALLOWED["jazz_solo.pretrained.__main__"] = ["jazz_solo.pretrained"]

# third-party packages a layer must not import (its own or anything it reaches)
FORBIDDEN = {
    "jazz_solo.music": ["torch", "hydra", "omegaconf", "pytorch_lightning", "wandb"],
    "jazz_solo.corpus": ["torch", "hydra", "omegaconf", "pytorch_lightning", "wandb"],
    "jazz_solo.config": ["torch", "hydra", "omegaconf", "wandb"],
    "jazz_solo.pretrained": ["torch", "hydra", "omegaconf", "pytorch_lightning", "wandb"],
    "jazz_solo.pretrained.export": ["pytorch_lightning", "hydra", "omegaconf", "wandb"],
    "jazz_solo.pretrained.__main__": ["pytorch_lightning", "hydra", "omegaconf", "wandb"],
    "jazz_solo.net": ["pytorch_lightning", "hydra", "omegaconf", "wandb"],
    "jazz_solo.scoring": ["pytorch_lightning", "hydra", "omegaconf", "wandb"],
    "jazz_solo.sampling": ["pytorch_lightning", "hydra", "omegaconf", "wandb"],
    "jazz_solo.generation": ["pytorch_lightning", "hydra", "omegaconf", "wandb"],
    "jazz_solo.evaluation": ["pytorch_lightning", "hydra", "omegaconf", "wandb"],
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(name: str, table: dict) -> str | None:
    """The longest key of `table` that is `name` or a package above it."""
    keys = [k for k in table if name == k or (name.startswith(k + ".") and k != "jazz_solo")]
    return max(keys, key=len) if keys else None


def imports(path: Path) -> list[str]:
    """Every module a file imports, absolute (relative imports resolved against its package)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module_name(path).split(".")[: -node.level or None]
                base = ".".join(package + ([base] if base else []))
            found += [f"{base}.{alias.name}" for alias in node.names]  # `from pkg import module` names a module
    return found


def violations(name: str, imported: list[str]) -> list[str]:
    """What module `name` must not import, of the modules it does."""
    layer = layer_of(name, ALLOWED)
    if layer is None:
        return [f"{name}: in no layer (add it to ALLOWED)"]
    allowed = [layer, *BASE, *ALLOWED[layer]]
    forbidden = FORBIDDEN.get(layer_of(name, FORBIDDEN) or "", [])
    found = []
    for module in imported:
        if module.startswith("jazz_solo.") and not any(module == a or module.startswith(a + ".") for a in allowed):
            found.append(f"{name} imports {module}: above its layer ({layer} may import {ALLOWED[layer] or 'BASE'})")
        if module.split(".")[0] in forbidden:
            found.append(f"{name} imports {module}, which its layer must not")
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_a_module_imports_no_layer_above_its_own(path):
    assert violations(module_name(path), imports(path)) == []


def test_the_rules_catch_an_upward_import():
    assert len(violations("jazz_solo.music.score", ["jazz_solo.training.module", "torch", "jazz_solo.errors"])) == 2
    assert len(violations("jazz_solo.sampling.loop", ["jazz_solo.config"])) == 1
    assert len(violations("jazz_solo.net", ["jazz_solo.runs", "torch"])) == 0
    assert violations("jazz_solo.newthing", []) != []
