"""The feature step: same numbers as scikit-learn's TfidfVectorizer, distinctions stems lose, voice cues."""
import numpy as np
import pytest

from classifier import kernels
from classifier.features import CUE_NAMES, FEATURE_SETS, TermIndex, TextFeatures, count_signs, voice_cues

TEXTS = ["Pendudukan Israel di Tepi Barat dikecam.", "Penduduk Gaza menangis di pengungsian.",
         "Gencatan senjata disepakati di Doha.", "Warga Gaza merayakan kemenangan tim sepak bola.",
         "Pendudukan dan gencatan senjata dibahas di Doha."]


@pytest.mark.parametrize("feature_set", sorted(FEATURE_SETS))
def test_tfidf_matches_fitted_vectorizer_exactly(feature_set):
    features = TextFeatures(**{**FEATURE_SETS[feature_set], "cues": False, "words": (1, 2)}, min_df=1, max_df=1.0)
    ours = features.fit_transform(TEXTS).toarray()
    terms = [features.terms(features.parse(t)) for t in TEXTS]
    theirs = features.vectorizer().fit(terms).transform(terms).toarray()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(features.transform(TEXTS).toarray(), ours)


def test_surface_words_keep_what_stemming_merges():
    features = TextFeatures(min_df=1, max_df=1.0).fit(TEXTS)
    names = set(features.get_feature_names_out())
    assert "s:duduk" in names and "s:menang" in names
    assert {"w:pendudukan", "w:penduduk", "w:menangis", "w:kemenangan"} <= names


def test_stems_only_cannot_tell_occupation_from_residents():
    features = TextFeatures(words=None, min_df=1, max_df=1.0, cues=False).fit(TEXTS)
    names = set(features.get_feature_names_out())
    assert "s:duduk" in names and not any(name.startswith("w:") for name in names)


def test_unknown_words_and_empty_documents_give_zero_rows():
    features = TextFeatures(min_df=1, max_df=1.0, cues=False).fit(TEXTS)
    X = features.transform(["zzz qqq", "Gencatan senjata"])
    assert X[0].nnz == 0
    assert abs(np.linalg.norm(X[1].toarray()) - 1.0) < 1e-9


def test_cues_count_signs_in_the_writers_own_voice_only():
    quoted = _cues('Menlu mengatakan, "Ini genosida oleh penjajah."')
    attributed = _cues("Menurut menlu, ini genosida oleh penjajah.")
    voiced = _cues("Ini genosida oleh penjajah, kita harus bersuara.")
    own, reported = CUE_NAMES.index("cue:pro_palestine_signs"), CUE_NAMES.index("cue:pro_palestine_signs_reported")
    assert quoted[own] == attributed[own] == 0 and quoted[reported] > 0 and attributed[reported] > 0
    assert voiced[own] > 0 and voiced[reported] == 0


def test_sign_pairs_are_counted():
    assert count_signs(["dasar", "teroris", "hamas"]) == [0, 1]
    assert count_signs(["free", "palestine"]) == [1, 0]


def test_cues_feed_the_stance_head_only():
    from classifier.model import TopicStanceClassifier

    texts = TEXTS * 2
    y = [("a", "pro"), ("b", "neutral"), ("a", "neutral"), ("b", "pro"), ("a", "pro")] * 2
    classifier = TopicStanceClassifier(features=TextFeatures(min_df=1, cues=True)).fit(texts, y)
    n_topics = len(classifier.topic_labels_)
    assert not classifier.cue_weights_[:, :n_topics].any() and classifier.cue_weights_[:, n_topics:].any()


def _cues(text):
    from classifier.features import ATTRIBUTION_MARKERS
    from classifier.text import clean, own_voice_tokens, tokenize

    cleaned = clean(text)
    return voice_cues(tokenize(cleaned), own_voice_tokens(cleaned, ATTRIBUTION_MARKERS))


def test_term_index_from_another_layout_is_rebuilt_on_load():
    import pickle

    features = TextFeatures(min_df=1, max_df=1.0, words=(1, 2)).fit(TEXTS)
    expected = features.transform(TEXTS).toarray()
    features.index_.layout = -1  # as saved by a version that laid the index out differently
    features.index_.pairs = None
    loaded = pickle.loads(pickle.dumps(features))
    assert loaded.index_.layout == TermIndex.LAYOUT
    np.testing.assert_array_equal(loaded.transform(TEXTS).toarray(), expected)


def test_compiled_kernels_are_built_from_the_current_source():
    from pathlib import Path

    source = Path(kernels.__file__).with_name("kernels.pyx")
    assert Path(kernels.__file__).suffix == ".so"
    assert Path(kernels.__file__).stat().st_mtime >= source.stat().st_mtime, \
        "classifier/kernels.pyx changed after it was compiled: run `pip install -e .`"


def test_pair_table_finds_every_pair_and_nothing_else():
    rng = np.random.default_rng(0)
    pairs = {(int(a), int(b)): column for column, (a, b) in enumerate(rng.integers(0, 3000, (5000, 2)))}
    table = kernels.pair_table(np.array([a << 32 | b for a, b in pairs]), np.array(list(pairs.values())))
    # one token per pair, then an unknown token: each document's one bigram is a pair, or no pair
    codes = np.array([[-1, -1, a, 3001] for pair in pairs for a in pair] + [[-1, -1, 3001, 3001]] * 2)
    starts = np.arange(0, len(codes) + 1, 2)
    indices, values, indptr = kernels.tfidf_rows(codes, starts, np.zeros(0, dtype=np.int64),
                                                 np.zeros(len(starts), dtype=np.int64), table,
                                                 np.ones(5000), True)
    assert indices.tolist() == list(pairs.values())
    assert np.diff(indptr).tolist() == [1] * len(pairs) + [0]
    empty = kernels.pair_table(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert kernels.tfidf_rows(codes[:2], starts[:2], np.zeros(0, dtype=np.int64), np.zeros(2, dtype=np.int64),
                              empty, np.ones(5000), True)[0].size == 0


def test_scores_are_the_dot_product_of_rows_and_weights():
    rng = np.random.default_rng(1)
    weights, intercepts = rng.normal(size=(50, 8)), rng.normal(size=8)
    rows = TextFeatures(min_df=1, max_df=1.0).fit(TEXTS).transform(TEXTS)[:, :50]
    expected = rows @ weights + intercepts
    scores = kernels.linear_scores(rows.indices.astype(np.int64), rows.data, rows.indptr.astype(np.int64),
                                   weights, intercepts)
    np.testing.assert_allclose(scores, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("settings", [{}, {"words": (1, 2), "chars": (3, 4)}, {"stems": None}])
def test_saved_features_round_trip_with_their_dictionaries_packed(settings):
    import pickle

    features = TextFeatures(min_df=1, max_df=1.0, **settings).fit(TEXTS)
    state = features.__getstate__()
    assert not isinstance(state["vocabulary_"], dict) and not isinstance(state["stems_seen_"], dict)
    assert isinstance(features.vocabulary_, dict)  # packing leaves the fitted object as it was
    loaded = pickle.loads(pickle.dumps(features))
    assert (loaded.vocabulary_, loaded.stems_seen_) == (features.vocabulary_, features.stems_seen_)
    for name in ("unigrams", "pair_ids", "chars"):
        assert getattr(loaded.index_, name) == getattr(features.index_, name)
    np.testing.assert_array_equal(loaded.transform(TEXTS).toarray(), features.transform(TEXTS).toarray())
