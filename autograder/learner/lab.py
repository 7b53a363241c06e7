"""`make lab`: JupyterLab on exercises/, set up for a learner.

nbgrader, which the kit installs for instructors, adds its menus and its
"Create Assignment" and "Validate" tools to every JupyterLab in the
environment. A learner has no use for them, so `make lab` starts JupyterLab
with a configuration folder of its own (in .cache/, out of git) that turns
nbgrader's server and browser extensions off. Instructors who run
`.venv/bin/jupyter lab` themselves keep them.
"""
import json
import os
import sys

from autograder.metadata import REPO_ROOT

CONFIG_DIR = REPO_ROOT / ".cache" / "jupyter-learner"
NBGRADER_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)
NBGRADER_LAB_EXTENSION = "@jupyter/nbgrader"


def write_learner_config(folder=CONFIG_DIR):
    """Turn nbgrader's extensions off in the learner's Jupyter configuration in `folder`.

    Only those settings are touched, and a file is written only when one of
    them is missing: what else the learner set there (JupyterLab keeps its
    user settings in this folder too) stays. Returns `folder`.
    """
    server_off = dict.fromkeys(NBGRADER_SERVER_EXTENSIONS, False)
    _merge_json(folder / "jupyter_server_config.json", ("ServerApp", "jpserver_extensions"),
                server_off)
    _merge_json(folder / "labconfig" / "page_config.json", ("disabledExtensions",),
                {NBGRADER_LAB_EXTENSION: True})
    return folder


def _merge_json(path, keys, settings):
    """Set `settings` in the JSON object at `path` under the nested `keys`, keeping the rest."""
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError):
        config = {}
    section = config
    for key in keys:
        section = section.setdefault(key, {})
    if all(section.get(name) == value for name, value in settings.items()):
        return
    section.update(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n")


def environment(folder=CONFIG_DIR):
    return dict(os.environ, JUPYTER_CONFIG_DIR=str(write_learner_config(folder)))


def command(extra=(), root=REPO_ROOT / "exercises"):
    return [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}", *extra]


def main(extra=()):
    """Replace this process with JupyterLab (its own Ctrl-C handling then applies)."""
    print("Starting JupyterLab on exercises/ (nbgrader's instructor tools are off here). "
          "Open stage1_numpy.ipynb to begin; Ctrl-C twice stops it.", flush=True)
    argv = command(extra)
    os.execve(argv[0], argv, environment())
