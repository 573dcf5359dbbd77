"""The per-token stem cache: once per token, bounded, thread-safe, picklable users."""
import pickle
import threading

from classifier.cache import BoundedCache
from classifier.stemming import sastrawi_stem_word, stem_tokens


def counting_stemmer():
    calls = []

    def stem(token):
        calls.append(token)
        return token.removeprefix("me")

    return stem, calls


def test_sastrawi_merges_words_that_matter_here():
    assert sastrawi_stem_word("pendudukan") == sastrawi_stem_word("penduduk") == "duduk"
    assert sastrawi_stem_word("menangis") == "menang"


def test_each_distinct_token_is_stemmed_once():
    stem, calls = counting_stemmer()
    cache = BoundedCache(100, stem)
    assert cache.get_all(["membaca", "membaca", "menulis"]) == ["mbaca", "mbaca", "nulis"]
    assert cache.get_all(["membaca", "menulis", "membaca"]) == ["mbaca", "nulis", "mbaca"]
    assert sorted(calls) == ["membaca", "menulis"]


def test_cache_stays_bounded_on_endless_new_tokens():
    stem, _ = counting_stemmer()
    cache = BoundedCache(1000, stem)
    for i in range(20_000):
        cache.get(f"kata{i}")
    assert len(cache) <= 1000
    assert cache.get("kata19999") == "kata19999"


def test_cache_is_safe_under_threads():
    stem, calls = counting_stemmer()
    cache = BoundedCache(10_000, stem)
    tokens = [f"mekata{i % 500}" for i in range(5000)]
    results = []

    def work():
        results.append(cache.get_all(tokens))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == [t[2:] for t in tokens] for result in results)
    assert len(calls) == 500  # each distinct token stemmed exactly once


def test_module_cache_stems_real_words_and_is_referenced_by_name():
    assert stem_tokens(["perundingan", "gencatan", "_num_"]) == ["runding", "gencat", "_num_"]
    assert pickle.loads(pickle.dumps(stem_tokens)) is stem_tokens


def test_priming_fills_the_cache_without_stemming_and_leaves_room():
    stem, calls = counting_stemmer()
    cache = BoundedCache(10, stem)
    cache.prime({f"mekata{i}": f"kata{i}" for i in range(20)})
    assert len(cache) == 5 and calls == []
    assert cache.get("mekata0") == "kata0" and calls == []


def test_a_loaded_model_starts_with_a_warm_stem_cache(tiny_model_dir):
    import pickle

    from classifier import load_model
    from classifier.stemming import CACHE

    model = load_model(tiny_model_dir)
    CACHE.clear()
    pickle.loads(pickle.dumps(model))
    misses = CACHE.misses
    model.predict(["Mediator Mesir menyampaikan usulan gencatan senjata tahap pertama di Gaza."])
    assert CACHE.misses == misses
