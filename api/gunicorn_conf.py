"""Gunicorn settings, taken from classifier.config.Settings (environment variables and defaults)."""
from classifier.config import Settings

_settings = Settings.load()

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
worker_class = _settings.worker_class
threads = _settings.threads
pidfile = str(_settings.pid_file)
preload_app = False  # every worker, including those started by HUP, loads the current model itself
graceful_timeout = 30
timeout = 60
accesslog = None
MODEL_LOAD_TIMEOUT = 120


def post_worker_init(worker):
    """Accept requests only once the model is loaded, so a HUP swap never answers 503."""
    state = worker.wsgi.extensions.get("classifier")
    if state is not None and not state.ready.wait(MODEL_LOAD_TIMEOUT):
        worker.log.error("model still not loaded after %s s", MODEL_LOAD_TIMEOUT)
