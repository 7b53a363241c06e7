"""The kit's own files must be the same after grading a submission as before.

The sandbox keeps learner code away from them; this check is what tells an
instructor if something got through anyway (or if someone edited the kit
while a class was being graded), naming the submission it happened under.
"""
import hashlib

from autograder.metadata import REPO_ROOT

GUARDED = ("autograder/**/*.py", "solutions/*.py", "stages.toml", "course/nbgrader_config.py",
           "requirements.lock")


class KitTampered(Exception):
    """A kit file changed while a submission was being graded."""


def snapshot(root=REPO_ROOT):
    """relative path -> SHA-256 of every guarded kit file."""
    files = sorted({p for pattern in GUARDED for p in root.glob(pattern) if p.is_file()})
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def version(files=None):
    """A short hash of every guarded file (of `files`, a snapshot, if given)."""
    digest = hashlib.sha256()
    for name, value in sorted((files or snapshot()).items()):
        digest.update(f"{name}={value};".encode())
    return digest.hexdigest()[:16]


def fingerprint(paths, kit_version, root):
    """A hash of the files' names (relative to `root`) and bytes, and of the kit's version.

    A submission is graded again when its fingerprint changes: new files, or a new kit.
    """
    digest = hashlib.sha256(kit_version.encode())
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def verify(before, submission, root=REPO_ROOT):
    """Raise KitTampered, naming `submission`, if any guarded file differs from `before`."""
    after = snapshot(root)
    changed = sorted(name for name in before.keys() | after.keys()
                     if before.get(name) != after.get(name))
    if changed:
        shown = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
        raise KitTampered(f"the kit's own files changed while grading {submission}: {shown}. "
                          "Grading stopped: restore them (git status, git checkout) and regrade.")
