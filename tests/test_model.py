"""A tiny model trained from fixtures: record shape, probabilities, thresholds, determinism, pickling."""
import pickle

import numpy as np
import pytest

from classifier.train import build_classifier, cross_validate, train

RECORD_KEYS = {"id", "topic", "topics", "topic_scores", "stance", "stance_scores", "model_version"}


def test_record_shape_and_scores(tiny_model):
    record = tiny_model.predict(["Gencatan senjata di Gaza disepakati, sandera dibebaskan."], ids=["a"])[0]
    assert set(record) == RECORD_KEYS
    assert record["id"] == "a" and record["model_version"] == "tiny-1"
    assert set(record["topic_scores"]) == set(tiny_model.topic_labels)
    assert set(record["stance_scores"]) == {"neutral", "pro_israel", "pro_palestine"}
    assert abs(sum(record["topic_scores"].values()) - 1) < 1e-9
    assert abs(sum(record["stance_scores"].values()) - 1) < 1e-9
    assert record["topic"] == max(record["topic_scores"], key=record["topic_scores"].get)
    assert record["topic"] == "ceasefire"


def test_probabilities_match_the_logistic_regression_heads(tiny_model):
    texts = ["Dewan kota memutus hubungan dengan Israel.", "Seminar Palestina di kampus."]
    classifier = tiny_model.classifier
    X = classifier.transform(texts)
    ours = classifier.predict_proba(texts)
    np.testing.assert_allclose(ours[0], classifier.topic_head_.predict_proba(X[:, :len(classifier.features_.vocabulary_)]),
                               atol=1e-12)
    np.testing.assert_allclose(ours[1], classifier.stance_head_.predict_proba(X), atol=1e-12)


def test_single_document_scores_match_batch_scores(tiny_model):
    texts = ["Dewan kota memutus hubungan dengan Israel.", "Seminar Palestina di kampus.", "Roket Hamas"]
    batch = tiny_model.classifier.predict_proba(texts)
    for i, text in enumerate(texts):
        single = tiny_model.classifier.predict_proba([text])
        np.testing.assert_allclose(single[0][0], batch[0][i], atol=1e-12)
        np.testing.assert_allclose(single[1][0], batch[1][i], atol=1e-12)


def test_topics_follow_threshold_and_top_k(tiny_model):
    text = "Menlu membahas gencatan senjata dan resolusi PBB di Dewan Keamanan."
    everything = tiny_model.predict([text], threshold=0.0)[0]
    assert len(everything["topics"]) == len(tiny_model.topic_labels)
    scores = everything["topic_scores"]
    assert everything["topics"] == sorted(scores, key=scores.get, reverse=True)
    assert tiny_model.predict([text], threshold=1.01)[0]["topics"] == []  # low confidence stays visible
    assert len(tiny_model.predict([text], threshold=0.0, top_k=2)[0]["topics"]) == 2


def test_explanation_lists_terms_that_pushed_the_labels(tiny_model):
    record = tiny_model.predict(["Dewan kota Barcelona memutus hubungan kota kembar."], explain=True)[0]
    topic_terms = record["explanation"]["topic"]
    assert topic_terms and all(term["weight"] > 0 for term in topic_terms)
    assert [t["weight"] for t in topic_terms] == sorted((t["weight"] for t in topic_terms), reverse=True)
    assert any(term["term"] in ("kota", "dewan", "kota kembar") for term in topic_terms)


def test_same_data_and_seed_give_same_predictions(tiny_documents, tiny_model):
    again, _ = train(tiny_documents, feature_set="stems+words", cross_validation=False)
    texts = [d.text for d in tiny_documents[:10]]
    first = tiny_model.classifier.predict_proba(texts)
    second = again.classifier.predict_proba(texts)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_model_pickles(tiny_model):
    clone = pickle.loads(pickle.dumps(tiny_model))
    text = ["Aksi bela Palestina di Monas."]
    assert clone.predict(text) == tiny_model.predict(text)


def test_custom_topic_labels_come_from_the_data(tiny_documents):
    relabelled = [d.__class__(d.id, d.text, "gaza" if d.topic == "ceasefire" else "lain", d.stance, ())
                  for d in tiny_documents]
    model, _ = train(relabelled, feature_set="stems", cross_validation=False)
    assert model.topic_labels == ["gaza", "lain"]


def test_cross_validation_reports_every_class(tiny_documents):
    metrics = cross_validate(build_classifier("stems"), tiny_documents, folds=2, seed=0)
    assert set(metrics["topic"]["per_class"]) == {"ceasefire", "diplomacy", "municipal_boycott", "conference", "other"}
    assert 0 <= metrics["stance"]["macro_f1"] <= 1
    assert np.asarray(metrics["topic"]["confusion_matrix"]).sum() == len(tiny_documents)


@pytest.mark.parametrize("feature_set", ["stems", "stems+words", "stems+chars", "stems+words+chars"])
def test_every_feature_set_trains(tiny_documents, feature_set):
    model, _ = train(tiny_documents, feature_set=feature_set, cross_validation=False)
    assert model.predict(["Konferensi Palestina"])[0]["topic"] in model.topic_labels
