"""Topic and stance classification of Indonesian-language texts about Palestine.

    from classifier import load_model
    model = load_model()                      # models/default, hash-checked
    model.predict(["Gencatan senjata di Gaza ..."])
"""
from .artifact import ModelError, load_model, save_model
from .data import DataError
from .model import Model

__all__ = ["load_model", "save_model", "Model", "ModelError", "DataError"]
