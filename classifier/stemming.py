"""Sastrawi stemming behind a bounded, thread-safe per-token cache.

Sastrawi stems a few thousand words a second, while a warm dictionary look-up costs well under a
microsecond, so every distinct token is stemmed once per process. The cache lives at module level:
fitted models refer to `stem_tokens` by name and pickle without carrying the cache or the stemmer.
"""
import threading

from . import config


class StemCache:
    """Token -> stem dictionary with first-in-first-out eviction in chunks once `maxsize` is reached."""

    def __init__(self, maxsize, stem_word):
        self.maxsize = maxsize
        self._stem_word = stem_word
        self._stems = {}
        self._lock = threading.Lock()
        self.misses = 0

    def __len__(self):
        return len(self._stems)

    def stem(self, token):
        stem = self._stems.get(token)
        return stem if stem is not None else self._stem_missing(token)

    def stem_all(self, tokens):
        get = self._stems.get
        stems = [get(token) for token in tokens]
        if None in stems:
            stems = [stem if stem is not None else self._stem_missing(token) for token, stem in zip(tokens, stems)]
        return stems

    def _stem_missing(self, token):
        with self._lock:
            stem = self._stems.get(token)
            if stem is None:
                stem = self._stem_word(token)
                self.misses += 1
                if len(self._stems) >= self.maxsize:
                    self._evict_oldest()
                self._stems[token] = stem
        return stem

    def _evict_oldest(self):
        """Drop the oldest tenth in one go, so eviction is not paid on every miss."""
        for token in list(self._stems)[: max(1, self.maxsize // 10)]:
            del self._stems[token]

    def clear(self):
        with self._lock:
            self._stems.clear()


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


CACHE = StemCache(config.stem_cache_size(), sastrawi_stem_word)


def stem_tokens(tokens):
    """Stems of `tokens`, each distinct token stemmed once per process."""
    return CACHE.stem_all(tokens)
