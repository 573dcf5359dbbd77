"""Sastrawi stemming behind a bounded, thread-safe per-token cache.

Sastrawi stems a few thousand words a second, while a warm dictionary look-up costs well under a
microsecond, so every distinct token is stemmed once per process. The cache lives at module level:
fitted models refer to `stem_tokens` by name and pickle without carrying the cache or the stemmer.
"""
import threading

from . import config
from .cache import BoundedCache


_sastrawi = None
_sastrawi_lock = threading.Lock()


def sastrawi_stem_word(token):
    """PySastrawi's word stemmer, built once per process on first use (it loads a 30k-word dictionary)."""
    global _sastrawi
    if _sastrawi is None:
        with _sastrawi_lock:
            if _sastrawi is None:
                from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
                _sastrawi = StemmerFactory().create_stemmer().delegatedStemmer
    if token.startswith("_"):
        return token
    return _sastrawi.stem_word(token)


CACHE = BoundedCache(config.cache_sizes()[0], sastrawi_stem_word)


def prime(stems):
    """Start this process's cache with known token -> stem pairs (a model's training vocabulary)."""
    CACHE.prime(stems)


def stem_tokens(tokens):
    """Stems of `tokens`, each distinct token stemmed once per process."""
    return CACHE.get_all(tokens)
