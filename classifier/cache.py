"""A bounded, thread-safe memo for per-token work (stemming, tokenising a whitespace chunk).

News text repeats its words, so computing each distinct key once per process and answering the
rest with a dictionary look-up removes most of the per-document cost. Entries are evicted
oldest-first, a tenth at a time, so memory stays bounded on endless new keys.
"""
import threading


class BoundedCache:
    def __init__(self, maxsize, compute):
        self.maxsize = maxsize
        self._compute = compute
        self._values = {}
        self._lock = threading.Lock()
        self.misses = 0

    def __len__(self):
        return len(self._values)

    def get(self, key):
        value = self._values.get(key)
        return value if value is not None else self._miss(key)

    def get_all(self, keys):
        values = list(map(self._values.get, keys))
        if None in values:
            values = [value if value is not None else self._miss(key) for key, value in zip(keys, values)]
        return values

    def _miss(self, key):
        with self._lock:
            value = self._values.get(key)
            if value is None:
                value = self._compute(key)
                self.misses += 1
                if len(self._values) >= self.maxsize:
                    for old in list(self._values)[: max(1, self.maxsize // 10)]:
                        del self._values[old]
                self._values[key] = value
        return value

    def clear(self):
        with self._lock:
            self._values.clear()
