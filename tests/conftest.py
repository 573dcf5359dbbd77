"""Shared fixtures: a tiny model trained once per test session from tests/fixtures/tiny.jsonl."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(ROOT))

from classifier import save_model  # noqa: E402
from classifier.data import read_corpus  # noqa: E402
from classifier.train import train  # noqa: E402


@pytest.fixture(scope="session")
def tiny_documents():
    return read_corpus([FIXTURES / "tiny.jsonl"])


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_documents):
    """A model directory trained on the tiny fixture corpus (seconds, no cross-validation)."""
    model, report = train(tiny_documents, feature_set="stems+words", cross_validation=False)
    out = tmp_path_factory.mktemp("models") / "tiny"
    save_model(model, out, {"version": "tiny-1", "created_at": "2026-01-01T00:00:00Z",
                            "labels": {"topic": model.topic_labels, "stance": model.stance_labels},
                            "training_data": {"sha256": report["data_sha256"]}, "metrics": {}})
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from classifier import load_model

    return load_model(tiny_model_dir)


@pytest.fixture
def cli_env(tmp_path):
    """Environment for running `python -m classifier` as a subprocess from the project root."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("CLASSIFIER_MODEL_DIR", None)
    return env


@pytest.fixture(scope="session")
def app(tiny_model_dir):
    from api import create_app

    return create_app({"model_dir": tiny_model_dir, "load_in_background": False, "max_text_chars": 5000,
                       "max_batch": 8, "max_body_bytes": 200_000})


@pytest.fixture
def client(app):
    return app.test_client()
