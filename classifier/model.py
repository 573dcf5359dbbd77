"""The model: one feature step feeding two linear heads (topic, stance), and the record it emits.

`TopicStanceClassifier` follows scikit-learn's conventions so it can be cloned and
cross-validated; `Model` wraps a fitted one with its version and turns probabilities into the
record shape shared by the CLI, the API and the batch labeller.
"""
import math

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression

from . import kernels
from .features import TextFeatures

EXPLAIN_TERMS = 10
FEATURE_KINDS = {"s:": "stem", "w:": "word", "c:": "chars", "cue:": "cue"}


class TopicStanceClassifier(BaseEstimator):
    """Two logistic-regression heads over one shared feature step.

    The stance cues (if the feature step makes them) feed only the stance head: they are about the
    writer's voice and only add noise to topics. Secondary topics (`also`) are added as extra
    training rows with weight `also_weight`, so the topic probabilities of a two-topic document are
    shared between its topics.
    """

    def __init__(self, features=None, topic_c=20.0, stance_c=20.0, also_weight=0.15,
                 class_weight="balanced", max_iter=3000):
        self.features = features
        self.topic_c = topic_c
        self.stance_c = stance_c
        self.also_weight = also_weight
        self.class_weight = class_weight
        self.max_iter = max_iter

    def _head(self, c):
        return LogisticRegression(C=c, class_weight=self.class_weight, max_iter=self.max_iter)

    def fit(self, texts, y, also=None):
        """`y` holds (topic, stance) pairs; `also` an optional list of secondary topics per text."""
        y = np.asarray(y, dtype=object)
        self.features_ = clone(self.features) if self.features is not None else TextFeatures()
        X = self.features_.fit_transform(texts)
        rows, topics, weights = list(range(len(y))), list(y[:, 0]), [1.0] * len(y)
        known_topics = set(topics)
        if also is not None and self.also_weight:
            for row, secondary in enumerate(also):
                for topic in secondary:
                    if topic in known_topics:
                        rows.append(row)
                        topics.append(topic)
                        weights.append(self.also_weight)
        n_terms = len(self.features_.vocabulary_)
        self.topic_head_ = self._head(self.topic_c).fit(X[rows][:, :n_terms], topics, sample_weight=weights)
        self.stance_head_ = self._head(self.stance_c).fit(X, list(y[:, 1]))
        self.topic_labels_ = [str(label) for label in self.topic_head_.classes_]
        self.stance_labels_ = [str(label) for label in self.stance_head_.classes_]
        self._prepare_scoring()
        return self

    def _prepare_scoring(self):
        """Both heads' weights side by side, features x labels: one gather and dot scores a document."""
        weights, intercepts = zip(*(_label_weights(head) for head in (self.topic_head_, self.stance_head_)))
        n_features = self.features_.n_features_out_
        stacked = np.hstack([np.vstack([w, np.zeros((n_features - len(w), w.shape[1]))]) for w in weights])
        n_terms = len(self.features_.vocabulary_)
        self.term_weights_ = np.ascontiguousarray(stacked[:n_terms])
        self.cue_weights_ = np.ascontiguousarray(stacked[n_terms:])
        self.intercepts_ = np.concatenate(intercepts)
        self.n_topics_ = len(self.topic_head_.classes_)

    def transform(self, texts):
        return self.features_.transform(texts)

    def transform_rows(self, texts):
        return self.features_.transform_rows(texts)

    def scores_from_rows(self, rows):
        """Both heads' linear scores of FeatureRows, one row per document, topic columns first."""
        scores = kernels.linear_scores(rows.indices, rows.values, rows.indptr, self.term_weights_, self.intercepts_)
        if rows.cues.shape[1]:
            scores += rows.cues @ self.cue_weights_
        return scores

    def probabilities(self, scores):
        """(topic probabilities, stance probabilities) of one document's scores (a list), in
        `topic_labels_` / `stance_labels_` order. Plain Python: for eight numbers, a dozen NumPy calls
        cost more than the arithmetic."""
        return _softmax(scores[:self.n_topics_]), _softmax(scores[self.n_topics_:])

    def predict_proba(self, texts):
        """(topic probabilities, stance probabilities) as arrays, one row per text."""
        scores = self.scores_from_rows(self.transform_rows(texts))
        probabilities = [self.probabilities(row) for row in scores.tolist()]
        return (np.array([topic for topic, _ in probabilities]).reshape(len(scores), self.n_topics_),
                np.array([stance for _, stance in probabilities]).reshape(len(scores), len(self.stance_labels_)))

    def predict(self, texts):
        topic_p, stance_p = self.predict_proba(texts)
        return np.column_stack([np.asarray(self.topic_labels_)[topic_p.argmax(1)],
                                np.asarray(self.stance_labels_)[stance_p.argmax(1)]])


def _label_weights(head):
    """(features x labels weights, intercepts) with one column per label, binary heads included."""
    coef, intercept = head.coef_, head.intercept_
    if coef.shape[0] == 1:
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    return coef.T, intercept


def _softmax(scores):
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]


class Model:
    """A fitted classifier with its version and topic threshold; `predict` returns records."""

    def __init__(self, classifier, topic_threshold=0.3, version="unsaved"):
        self.classifier = classifier
        self.topic_threshold = topic_threshold
        self.version = version
        self.manifest = None

    @property
    def topic_labels(self):
        return self.classifier.topic_labels_

    @property
    def stance_labels(self):
        return self.classifier.stance_labels_

    def predict(self, texts, ids=None, threshold=None, top_k=None, explain=False):
        """One record per text: {id, topic, topics, topic_scores, stance, stance_scores, model_version}."""
        texts = list(texts)
        if not texts:
            return []
        ids = list(ids) if ids is not None else [str(i) for i in range(len(texts))]
        rows = self.classifier.transform_rows(texts)
        threshold = self.topic_threshold if threshold is None else threshold
        records = []
        for i, (doc_id, scores) in enumerate(zip(ids, self.classifier.scores_from_rows(rows).tolist())):
            record = self._record(doc_id, *self.classifier.probabilities(scores), threshold, top_k)
            if explain:
                record["explanation"] = self.explain_row(rows.row(i), record["topic"], record["stance"])
            records.append(record)
        return records

    def _record(self, doc_id, topic_p, stance_p, threshold, top_k):
        topic_scores = dict(zip(self.topic_labels, topic_p))
        stance_scores = dict(zip(self.stance_labels, stance_p))
        ranked = sorted(topic_scores, key=topic_scores.__getitem__, reverse=True)  # stable: ties keep label order
        topics = [label for label in ranked if topic_scores[label] >= threshold]
        return {
            "id": doc_id,
            "topic": ranked[0],
            "topics": topics[:top_k] if top_k else topics,
            "topic_scores": topic_scores,
            "stance": max(stance_scores, key=stance_scores.__getitem__),
            "stance_scores": stance_scores,
            "model_version": self.version,
        }

    def explain_row(self, row, topic, stance, n_terms=EXPLAIN_TERMS):
        """Per head, the features that pushed the chosen label most: value x weight, largest first."""
        columns, values, cues = row
        names = self._feature_names()
        n_vocabulary = self.classifier.term_weights_.shape[0]
        all_columns = np.concatenate([columns, np.arange(n_vocabulary, n_vocabulary + len(cues))])
        all_values = np.concatenate([values, cues])
        weights = np.vstack([self.classifier.term_weights_[columns], self.classifier.cue_weights_])
        explanation = {}
        for head, column in (("topic", self.topic_labels.index(topic)),
                             ("stance", len(self.topic_labels) + self.stance_labels.index(stance))):
            pushes = all_values * weights[:, column]
            order = np.argsort(-pushes, kind="stable")[:n_terms]
            explanation[head] = [_term(names[all_columns[i]], float(pushes[i])) for i in order if pushes[i] > 0]
        return explanation

    def _feature_names(self):
        names = getattr(self, "_names", None)
        if names is None:
            names = self._names = self.classifier.features_.get_feature_names_out()
        return names

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_names", None)
        state["manifest"] = None
        return state


def _term(name, weight):
    for prefix, kind in FEATURE_KINDS.items():
        if name.startswith(prefix):
            return {"term": name[len(prefix):], "kind": kind, "weight": round(weight, 6)}
    return {"term": name, "kind": "term", "weight": round(weight, 6)}
