"""The shared feature step: each document is cleaned, tokenised and stemmed once, then turned into
TF-IDF weights over stems, surface words and (optionally) character n-grams, plus a few dense
"writer's voice" cues for stance.

Stems generalise over affixes, but Sastrawi merges words whose meaning matters here (pendudukan
"occupation" and penduduk "residents" both become duduk; menangis "to cry" becomes menang "to win"),
so surface words can be kept beside them. The cues count the guide's stance signs outside quotation
marks: a report that quotes "genosida" is neutral, a column that says it is not.
"""
from collections import Counter
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from .stemming import stem_tokens
from .text import clean, tokenize_marking_quotes

PRO_PALESTINE_SIGNS = frozenset(term.replace("+", " ") for term in """
genosida genocide penjajah penjajahan dijajah terjajah menjajah zionis zionisme zionist kebiadaban biadab
pendudukan apartheid syuhada syahid kezaliman zalim zolim dzalim kezoliman laknat laknatullah pembantaian
dibantai membantai kolonial kolonialisme kolonialis freepalestine savepalestine savegaza alleyesonrafah
_benderapalestina_ _semangka_ israhell intifada mujahidin free+palestine save+gaza pembersihan+etnis
bela+palestina palestina+merdeka bebaskan+palestina entitas+zionis rezim+zionis tentara+zionis
tentara+penjajah negara+penjajah teroris+israel israel+teroris israel+laknatullah
""".split())
PRO_ISRAEL_SIGNS = frozenset(term.replace("+", " ") for term in """
teroris+hamas hamas+teroris kelompok+teroris teror+hamas membela+diri hak+membela tameng+manusia
perisai+manusia abraham+accords antisemit antisemitisme antisemitik jihadis hamas+biadab kebiadaban+hamas
standwithisrael istandwithisrael _benderaisrael_ bringthemhomenow bringthemhome propaganda+hamas
roket+hamas
""".split())
VOICE_MARKERS = frozenset("""
saya aku gue gw gua kami kita mari ayo yuk harus wajib mesti semoga jangan hendaknya seharusnya
sepatutnya marilah hayo insyaallah aamiin amin bismillah astaghfirullah wkwk wkwkwk anjir
""".split())
ATTRIBUTION_MARKERS = frozenset("""
mengatakan kata katanya ujar ujarnya menurut menyatakan tutur tuturnya jelasnya ungkap ungkapnya
imbuhnya tegasnya pungkas pungkasnya melansir dilansir dikutip mengutip sebut menyebut menyebutkan
disebutkan terangnya lanjutnya
""".split())
CUE_NAMES = ("cue:pro_palestine_signs", "cue:pro_israel_signs", "cue:first_person_or_exhortation",
             "cue:attribution", "cue:pro_palestine_signs_in_quotes", "cue:quoted_share")
FEATURE_SETS = {
    "stems": {"stems": (1, 2), "words": None, "chars": None},
    "stems+words": {"stems": (1, 2), "words": (1, 2), "chars": None},
    "stems+chars": {"stems": (1, 2), "words": None, "chars": (3, 5)},
    "stems+words+chars": {"stems": (1, 2), "words": (1, 2), "chars": (3, 5)},
}


_SIGN_CLASS = {**dict.fromkeys(PRO_PALESTINE_SIGNS, 0), **dict.fromkeys(PRO_ISRAEL_SIGNS, 1)}


def count_signs(tokens):
    """(pro-Palestine, pro-Israel) sign counts in a token sequence, over single words and word pairs."""
    counts = [0, 0]
    get = _SIGN_CLASS.get
    for token in tokens:
        index = get(token)
        if index is not None:
            counts[index] += 1
    for pair in map(" ".join, zip(tokens, tokens[1:])):
        index = get(pair)
        if index is not None:
            counts[index] += 1
    return counts


def voice_cues(tokens, outside):
    """Dense stance cues: rates per 100 words of signs and markers in the writer's own voice."""
    n_outside = max(len(outside), 1)
    outside_pp, outside_pi = count_signs(outside)
    inside_pp = count_signs(tokens)[0] - outside_pp
    voice = sum(1 for token in outside if token in VOICE_MARKERS)
    attribution = sum(1 for token in tokens if token in ATTRIBUTION_MARKERS)
    per100 = 100.0 / n_outside
    rates = np.log1p(np.array([outside_pp * per100, outside_pi * per100, voice * per100,
                               attribution * 100.0 / max(len(tokens), 1), max(inside_pp, 0) * per100]))
    return np.append(rates, 1.0 - len(outside) / max(len(tokens), 1))


def ngrams(tokens, prefix, low, high):
    """Prefixed word n-grams of order low..high, as TfidfVectorizer would build them."""
    grams = [prefix + token for token in tokens] if low == 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend(prefix + " ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


@lru_cache(maxsize=200_000)
def char_ngrams(token, low, high):
    """Character n-grams of one token padded with spaces (like analyzer='char_wb'), cached per token."""
    padded = f" {token} "
    return tuple(f"c:{padded[i:i + n]}" for n in range(low, high + 1) for i in range(len(padded) - n + 1))


def _passthrough(terms):
    return terms


class TextFeatures(BaseEstimator, TransformerMixin):
    """Cleaning + tokens + cached stems -> one sparse row per document: TF-IDF terms, then dense cues."""

    def __init__(self, stems=(1, 2), words=(1, 2), chars=None, min_df=2, max_df=0.9, sublinear_tf=True,
                 cues=True, cue_weight=1.0):
        self.stems = stems
        self.words = words
        self.chars = chars
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.cues = cues
        self.cue_weight = cue_weight

    def analyze(self, text):
        """(terms, cue vector) of one document: the only place a document is cleaned and stemmed."""
        tokens, outside = tokenize_marking_quotes(clean(text))
        terms = []
        if self.stems:
            terms.extend(ngrams(stem_tokens(tokens), "s:", *self.stems))
        if self.words:
            terms.extend(ngrams(tokens, "w:", *self.words))
        if self.chars:
            low, high = self.chars
            for token in tokens:
                terms.extend(char_ngrams(token, low, high))
        cues = voice_cues(tokens, outside) * self.cue_weight if self.cues else None
        return terms, cues

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        analyses = [self.analyze(text) for text in X]
        self.vectorizer_ = TfidfVectorizer(analyzer=_passthrough, min_df=self.min_df, max_df=self.max_df,
                                           sublinear_tf=self.sublinear_tf)
        self.vectorizer_.fit(terms for terms, _ in analyses)
        self.vectorizer_.stop_words_ = None  # only needed for introspection; it can hold most of the corpus
        self.vocabulary_ = self.vectorizer_.vocabulary_
        self.idf_ = self.vectorizer_.idf_
        self.n_features_out_ = len(self.vocabulary_) + (len(CUE_NAMES) if self.cues else 0)
        return self._vectorize(analyses)

    def transform(self, X):
        return self._vectorize([self.analyze(text) for text in X])

    def _vectorize(self, analyses):
        """TF-IDF exactly as the fitted TfidfVectorizer computes it, without its per-call overhead."""
        vocabulary = self.vocabulary_
        indptr, indices, counts = [0], [], []
        for terms, _ in analyses:
            for term, count in Counter(terms).items():
                column = vocabulary.get(term)
                if column is not None:
                    indices.append(column)
                    counts.append(count)
            indptr.append(len(indices))
        indices = np.asarray(indices, dtype=np.int32)
        values = np.asarray(counts, dtype=np.float64)
        if self.sublinear_tf:
            np.log(values, out=values)
            values += 1.0
        values *= self.idf_[indices]
        indptr = np.asarray(indptr, dtype=np.int32)
        rows = np.repeat(np.arange(len(analyses)), np.diff(indptr))
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(analyses)))
        values /= norms[rows]
        tfidf = sp.csr_matrix((values, indices, indptr), shape=(len(analyses), len(vocabulary)))
        if not self.cues:
            return tfidf
        dense = sp.csr_matrix(np.vstack([cues for _, cues in analyses]))
        return sp.hstack([tfidf, dense], format="csr")

    def get_feature_names_out(self, input_features=None):
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, column in self.vocabulary_.items():
            names[column] = term
        return np.concatenate([names, np.array(CUE_NAMES, dtype=object)]) if self.cues else names
