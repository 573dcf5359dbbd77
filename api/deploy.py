"""Which model the service serves: the `current` symlink, its `previous`, and the HUP that swaps workers.

Gunicorn's HUP starts fresh workers (each loads the model `current` points to, before accepting
requests) and retires the old ones gracefully, so a swap loses no request.
"""
import os
import signal
from pathlib import Path

from classifier import load_model
from classifier.config import MODELS_DIR


def pointer_paths(served_dir):
    """(current, previous) symlinks: the served path itself when it is a symlink, else models/current."""
    current = Path(served_dir) if Path(served_dir).is_symlink() else MODELS_DIR / "current"
    return current, current.with_name("previous")


def _point(link, target):
    """Make `link` point to `target` in one atomic rename."""
    target = Path(target).resolve()
    relative = os.path.relpath(target, link.parent.resolve())
    staging = link.with_name(f".{link.name}.new")
    if staging.is_symlink():
        staging.unlink()
    os.symlink(relative, staging)
    os.replace(staging, link)


def promote(model_dir, served_dir):
    """Point `current` at a verified model (and `previous` at the old one); returns the new version."""
    version = load_model(model_dir).version
    current, previous = pointer_paths(served_dir)
    if current.exists():
        _point(previous, current.resolve())
    _point(current, model_dir)
    return version


def rollback(served_dir):
    """Swap `current` and `previous`; returns the version now current."""
    current, previous = pointer_paths(served_dir)
    if not previous.exists():
        raise FileNotFoundError(f"{previous} does not exist: nothing to roll back to")
    old_current, old_previous = current.resolve(), previous.resolve()
    version = load_model(old_previous).version
    _point(current, old_previous)
    _point(previous, old_current)
    return version


def reload_server(pid_file):
    """Send HUP to the running server; False when none is running."""
    try:
        pid = int(Path(pid_file).read_text().strip())
        os.kill(pid, signal.SIGHUP)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False
