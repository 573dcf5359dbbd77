"""The feature step: same numbers as scikit-learn's TfidfVectorizer, distinctions stems lose, voice cues."""
import numpy as np

from classifier.features import CUE_NAMES, TextFeatures, count_signs, voice_cues

TEXTS = ["Pendudukan Israel di Tepi Barat dikecam.", "Penduduk Gaza menangis di pengungsian.",
         "Gencatan senjata disepakati di Doha.", "Warga Gaza merayakan kemenangan tim sepak bola.",
         "Pendudukan dan gencatan senjata dibahas di Doha."]


def test_tfidf_matches_fitted_vectorizer_exactly():
    features = TextFeatures(min_df=1, max_df=1.0, cues=False)
    ours = features.fit_transform(TEXTS).toarray()
    theirs = features.vectorizer_.transform([features.analyze(t)[0] for t in TEXTS]).toarray()
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


def test_cues_count_signs_outside_quotes_only():
    quoted = voice_cues(*_tokens('Menlu mengatakan, "Ini genosida oleh penjajah."'))
    voiced = voice_cues(*_tokens("Ini genosida oleh penjajah, kita harus bersuara."))
    pro_palestine, in_quotes = CUE_NAMES.index("cue:pro_palestine_signs"), CUE_NAMES.index("cue:pro_palestine_signs_in_quotes")
    assert quoted[pro_palestine] == 0 and quoted[in_quotes] > 0
    assert voiced[pro_palestine] > 0 and voiced[in_quotes] == 0


def test_sign_pairs_are_counted():
    assert count_signs(["dasar", "teroris", "hamas"]) == [0, 1]
    assert count_signs(["free", "palestine"]) == [1, 0]


def _tokens(text):
    from classifier.text import clean, tokenize_marking_quotes

    return tokenize_marking_quotes(clean(text))
