"""Model directories: model.joblib + manifest.json (+ reports), written atomically, loaded only when
the file's sha256 matches the manifest, because unpickling a joblib file runs code.
"""
import hashlib
import io
import json
import os
import platform
import shutil
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import joblib

from .config import Settings
from .model import Model

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1
LIBRARIES = ("scikit-learn", "numpy", "scipy", "joblib", "PySastrawi")


class ModelError(RuntimeError):
    """A model directory that cannot be loaded or written, with the reason."""


def file_sha256(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def library_versions():
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def new_version(data_sha256, now=None):
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%d-%H%M%S}-{data_sha256[:8]}"


def _write_json(path, payload):
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def save_model(model, out_dir, manifest, reports=None, replace=False):
    """Write `out_dir` atomically: everything goes to a temporary sibling that is renamed at the end.

    `manifest` holds the caller's entries (labels, data hash, metrics, hyper-parameters); the file
    hash, library versions and format are added here. `reports` maps file names to text.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not replace:
        raise ModelError(f"{out_dir} already exists; choose another --out or pass --force to replace it")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        # Uncompressed: inflating the weights took 60 ms of each cold start, and git compresses the file anyway.
        joblib.dump(model, staging / MODEL_FILE, compress=0)
        manifest = {"format": MANIFEST_FORMAT, **manifest, "libraries": library_versions(),
                    "files": {MODEL_FILE: {"sha256": file_sha256(staging / MODEL_FILE),
                                           "bytes": (staging / MODEL_FILE).stat().st_size}}}
        _write_json(staging / MANIFEST_FILE, manifest)
        for name, text in (reports or {}).items():
            (staging / name).write_text(text, encoding="utf-8")
        for path in staging.iterdir():
            with open(path, "rb") as stream:
                os.fsync(stream.fileno())
        os.chmod(staging, 0o755)
        _move_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _move_into_place(staging, out_dir):
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rename(out_dir, retired / out_dir.name)
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def read_manifest(model_dir):
    model_dir = Path(model_dir)
    path = model_dir / MANIFEST_FILE
    if not model_dir.is_dir():
        raise ModelError(f"model directory {model_dir} not found")
    if not path.is_file():
        raise ModelError(f"{model_dir} has no {MANIFEST_FILE}: not a model directory")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        expected = manifest["files"][MODEL_FILE]
        return manifest, expected["sha256"], expected["bytes"]
    except (ValueError, KeyError, TypeError):
        raise ModelError(f"{path} is not a valid model manifest") from None


def read_verified_model_bytes(model_dir):
    """(manifest, bytes of model.joblib) once the bytes are complete and match the manifest.

    The bytes that were hashed are the bytes that get unpickled: nothing can swap the file between.
    """
    manifest, sha256, size = read_manifest(model_dir)
    path = Path(model_dir) / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{path} is missing")
    content = path.read_bytes()
    if len(content) != size:
        raise ModelError(f"{path} is {len(content)} bytes but its manifest says {size}: "
                         "truncated or replaced; refusing to load it")
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ModelError(f"{path} does not match the sha256 in its manifest; refusing to load it "
                         "(a joblib file runs code when loaded)")
    installed = library_versions()["scikit-learn"]
    trained = manifest.get("libraries", {}).get("scikit-learn")
    if trained != installed:
        raise ModelError(f"{path} was saved with scikit-learn {trained} but {installed} is installed; "
                         f"install scikit-learn=={trained} or retrain the model")
    return manifest, content


def load_model(model_dir=None):
    """Load a verified model; `model_dir` defaults to the configured one (models/default)."""
    model_dir = Path(model_dir) if model_dir is not None else Settings.load().model_dir
    manifest, content = read_verified_model_bytes(model_dir)
    try:
        model = joblib.load(io.BytesIO(content))
    except (AttributeError, ImportError) as error:  # a class the model refers to has moved or gone
        raise ModelError(f"{model_dir / MODEL_FILE} was saved by another version of this project and cannot be "
                         f"read ({error}); retrain it") from None
    if not isinstance(model, Model):
        raise ModelError(f"{model_dir / MODEL_FILE} does not hold a classifier model")
    model.version, model.manifest = manifest["version"], manifest
    return model
