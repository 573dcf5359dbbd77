"""The model a worker serves: loaded once per process, in the background so /healthz answers at once."""
import logging
import threading

from classifier import ModelError, load_model

from .errors import ApiError

log = logging.getLogger(__name__)


class ModelState:
    """Holds the loaded model, or why there is none yet."""

    def __init__(self, model_dir):
        self.model_dir = model_dir
        self.model = None
        self.error = None
        self.ready = threading.Event()

    def start_loading(self):
        threading.Thread(target=self.load, name="model-loader", daemon=True).start()

    def load(self):
        try:
            model = load_model(self.model_dir)
            model.predict(["warm-up"])  # builds Sastrawi's stemmer (an unseen word) before the first request
            self.model = model
            log.info("serving model %s from %s", self.model.version, self.model_dir)
        except (ModelError, OSError) as error:
            self.error = str(error)
            log.error("cannot serve a model: %s", error)
        finally:
            self.ready.set()

    @property
    def version(self):
        return self.model.version if self.model is not None else "none"

    def require_model(self):
        if self.model is not None:
            return self.model
        if self.error is not None:
            raise ApiError(503, "model_unavailable", f"no model could be loaded: {self.error}")
        raise ApiError(503, "not_ready", "the model is still loading; retry shortly")
