"""The learner's stage file: which folder holds it (KIT_IMPL_DIR), imported afresh; KIT_QUICK."""
import importlib.util
import os
import sys
from pathlib import Path

from autograder.metadata import REPO_ROOT, load_stages


def quick():
    """True when KIT_QUICK is set: few training steps, small timing runs (CI)."""
    return os.environ.get("KIT_QUICK", "") not in ("", "0")


def steps(full, quick_steps=20):
    """`full` steps normally, `quick_steps` under KIT_QUICK=1."""
    return quick_steps if quick() else full


def impl_dir():
    """The folder holding the learner's stage files: $KIT_IMPL_DIR (relative to the kit) or exercises/."""
    folder = os.environ.get("KIT_IMPL_DIR")
    return (REPO_ROOT / folder).resolve() if folder else REPO_ROOT / "exercises"


def stage_info(number):
    return load_stages()[number]


def load_stage_file(number, folder=None):
    """Import stage `number`'s file afresh from `folder` (default: impl_dir())."""
    stage = stage_info(number)
    path = Path(folder or impl_dir()) / stage.file
    spec = importlib.util.spec_from_file_location(f"learner_{stage.slug}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look modules up by name
    spec.loader.exec_module(module)
    return module
