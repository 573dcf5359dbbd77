"""All settings in one place: defaults here, overridden by environment variables, then by CLI flags.

The README lists every setting. A CLI flag passes its value to `Settings.load(**overrides)`.
"""
import dataclasses
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "CLASSIFIER_"
MODELS_DIR = PROJECT_ROOT / "models"


def default_model_dir():
    """models/current when a model has been promoted, else the committed models/default."""
    current = MODELS_DIR / "current"
    return current if current.exists() else MODELS_DIR / "default"


@dataclasses.dataclass(frozen=True)
class Settings:
    model_dir: Path = dataclasses.field(default_factory=default_model_dir)
    topic_threshold: float | None = None  # None: the threshold stored in the model
    stem_cache_size: int = 100_000
    token_cache_size: int = 100_000
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    max_text_chars: int = 100_000
    max_batch: int = 256
    max_body_bytes: int = 8 * 1024 * 1024
    label_workers: int = os.cpu_count() or 1
    worker_class: str = "sync"
    threads: int = 1
    pid_file: Path = PROJECT_ROOT / ".run" / "api.pid"

    @classmethod
    def load(cls, environ=None, **overrides):
        """Defaults, then CLASSIFIER_<NAME> variables, then the non-None keyword overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw not in (None, ""):
                values[field.name] = _parse(field, raw)
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls(**values)


def _parse(field, raw):
    kind = float if field.name == "topic_threshold" else field.type
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{field.name.upper()}={raw!r} is not a valid {kind.__name__}") from None


def cache_sizes():
    """(stem cache, token-chunk cache) sizes, read once when the caches are created."""
    settings = Settings.load()
    return settings.stem_cache_size, settings.token_cache_size
