"""Model directories: atomic writes, and no load of a file whose hash does not match its manifest."""
import hashlib
import json
import shutil

import pytest

from classifier import ModelError, load_model, save_model
from classifier.artifact import MODEL_FILE


def copy(model_dir, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(model_dir, target)
    return target


def test_load_checks_and_sets_version(tiny_model_dir):
    model = load_model(tiny_model_dir)
    assert model.version == "tiny-1"
    assert model.manifest["labels"]["stance"] == ["neutral", "pro_israel", "pro_palestine"]


def test_manifest_has_hashes_and_library_versions(tiny_model_dir):
    manifest = json.loads((tiny_model_dir / "manifest.json").read_text())
    assert len(manifest["files"][MODEL_FILE]["sha256"]) == 64
    assert manifest["libraries"]["scikit-learn"] and manifest["libraries"]["PySastrawi"]
    assert manifest["training_data"]["sha256"]


def test_tampered_model_is_refused(tiny_model_dir, tmp_path):
    target = copy(tiny_model_dir, tmp_path)
    content = bytearray((target / MODEL_FILE).read_bytes())
    content[len(content) // 2] ^= 0xFF
    (target / MODEL_FILE).write_bytes(bytes(content))
    with pytest.raises(ModelError, match="does not match the sha256"):
        load_model(target)


def test_truncated_model_is_refused(tiny_model_dir, tmp_path):
    target = copy(tiny_model_dir, tmp_path)
    content = (target / MODEL_FILE).read_bytes()
    (target / MODEL_FILE).write_bytes(content[:100])
    with pytest.raises(ModelError, match="truncated"):
        load_model(target)


def test_model_referring_to_a_class_this_version_lacks_is_refused(tiny_model_dir, tmp_path):
    target = copy(tiny_model_dir, tmp_path)
    content = b"cclassifier.features\nGoneClass\n."  # a pickle of a class an older version had
    (target / MODEL_FILE).write_bytes(content)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["files"][MODEL_FILE] = {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="another version of this project.*retrain"):
        load_model(target)


def test_missing_model_file_and_manifest_are_refused(tiny_model_dir, tmp_path):
    target = copy(tiny_model_dir, tmp_path)
    (target / MODEL_FILE).unlink()
    with pytest.raises(ModelError, match="missing"):
        load_model(target)
    (target / "manifest.json").unlink()
    with pytest.raises(ModelError, match="no manifest.json"):
        load_model(target)
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nothing-here")


def test_existing_directory_is_never_touched(tiny_model, tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ModelError, match="already exists"):
        save_model(tiny_model, out, {"version": "x"})
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_failed_write_leaves_nothing_behind(tiny_model, tmp_path):
    out = tmp_path / "model"
    with pytest.raises(TypeError):
        save_model(tiny_model, out, {"version": "x", "unserialisable": object()})
    assert list(tmp_path.iterdir()) == []


def test_replace_swaps_in_a_complete_directory(tiny_model, tiny_model_dir, tmp_path):
    target = copy(tiny_model_dir, tmp_path)
    save_model(tiny_model, target, {"version": "tiny-2", "created_at": "now"}, replace=True)
    assert load_model(target).version == "tiny-2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]
