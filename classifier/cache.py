"""A bounded, thread-safe memo for per-token work (stemming, tokenising a whitespace chunk).

News text repeats its words, so computing each distinct key once per process and answering the
rest with a dictionary look-up removes most of the per-document cost. When full, the older half is
dropped, so memory stays bounded and flat on endless new keys.
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
        try:  # all hits, the common case once a process is warm: one C-level pass
            return list(map(self._values.__getitem__, keys))
        except KeyError:
            return list(map(self.get, keys))

    def _miss(self, key):
        with self._lock:
            value = self._values.get(key)
            if value is None:
                value = self._compute(key)
                self.misses += 1
                if len(self._values) >= self.maxsize:
                    self._evict_oldest_half()
                self._values[key] = value
        return value

    def _evict_oldest_half(self):
        """Keep the newer half in a fresh dictionary: deleting in place would leave the old table
        and its holes behind, and memory would creep up instead of staying flat."""
        newer = list(self._values.items())[len(self._values) // 2:]
        self._values = dict(newer)

    def prime(self, values):
        """Add known key -> value pairs (up to half the room), so a new process starts warm."""
        with self._lock:
            room = max(0, self.maxsize // 2 - len(self._values))
            for key, value in list(values.items())[:room]:
                self._values.setdefault(key, value)

    def clear(self):
        with self._lock:
            self._values.clear()
