"""The HTTP service: `create_app(config)` builds a Flask app serving one model.

    gunicorn "api:create_app()"      # what `python -m api serve` runs

`config` may hold any Settings field (model_dir, max_text_chars, max_batch, topic_threshold, ...)
over the environment and defaults, and `load_in_background=False` to load the model before returning.
"""
import logging

from flask import Flask

from classifier.config import Settings

from . import errors, routes
from .state import ModelState


def create_app(config=None):
    config = dict(config or {})
    load_in_background = config.pop("load_in_background", True)
    settings = Settings.load(**config)
    app = Flask(__name__)
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    state = ModelState(settings.model_dir)
    app.extensions["classifier"] = state
    app.register_blueprint(routes.bp)
    errors.register(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if load_in_background:
        state.start_loading()
    else:
        state.load()
    return app
