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
    """Write the learner's Jupyter configuration into `folder`; returns `folder`."""
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    server = {"ServerApp": {"jpserver_extensions": dict.fromkeys(NBGRADER_SERVER_EXTENSIONS, False)}}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=2) + "\n")
    page = {"disabledExtensions": {NBGRADER_LAB_EXTENSION: True}}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2) + "\n")
    return folder


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
