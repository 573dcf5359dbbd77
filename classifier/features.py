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
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from .stemming import stem_tokens
from .text import clean, own_voice_tokens, tokenize

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
disebutkan terangnya lanjutnya menurutnya bilang sebutnya tambahnya ucapnya paparnya menilai dinilai
menuding menuduh mengecam mengklaim menegaskan menyerukan mendesak
""".split())
CUE_NAMES = ("cue:pro_palestine_signs", "cue:pro_israel_signs", "cue:first_person_or_exhortation",
             "cue:attribution", "cue:pro_palestine_signs_reported", "cue:reported_share")
# In order of preference when cross-validation cannot tell them apart (see train.TIE_MARGIN):
# surface words keep what stemming merges, at little cost.
FEATURE_SETS = {
    "stems+words": {"stems": (1, 2), "words": (1, 1), "chars": None, "cues": False},
    "stems": {"stems": (1, 2), "words": None, "chars": None, "cues": False},
    "stems+words+cues": {"stems": (1, 2), "words": (1, 1), "chars": None, "cues": True},
    "stems+chars": {"stems": (1, 2), "words": None, "chars": (3, 5), "cues": False},
    "stems+words+chars": {"stems": (1, 2), "words": (1, 1), "chars": (3, 5), "cues": False},
}


_SIGN_CLASS = {**dict.fromkeys(PRO_PALESTINE_SIGNS, 0), **dict.fromkeys(PRO_ISRAEL_SIGNS, 1)}
_SIGN_FIRST_WORDS = frozenset(sign.split(" ")[0] for sign in _SIGN_CLASS)


def count_signs(tokens):
    """(pro-Palestine, pro-Israel) sign counts in a token sequence, over single words and word pairs."""
    counts = [0, 0]
    get = _SIGN_CLASS.get
    for position in [i for i, token in enumerate(tokens) if token in _SIGN_FIRST_WORDS]:
        index = get(tokens[position])
        if index is not None:
            counts[index] += 1
        if position + 1 < len(tokens):
            index = get(f"{tokens[position]} {tokens[position + 1]}")
            if index is not None:
                counts[index] += 1
    return counts


def voice_cues(tokens, voice):
    """Dense stance cues from the writer's own voice (see text.own_voice_tokens), saturating at three
    occurrences so that one clear sign counts in a long text as much as in a short one."""
    voice_pp, voice_pi = count_signs(voice)
    reported_pp = max(count_signs(tokens)[0] - voice_pp, 0) if len(voice) < len(tokens) else 0
    exhortation = sum(map(VOICE_MARKERS.__contains__, voice))
    attribution = sum(map(ATTRIBUTION_MARKERS.__contains__, tokens))
    return (min(voice_pp, 3) / 3, min(voice_pi, 3) / 3, min(exhortation, 3) / 3, min(attribution, 3) / 3,
            min(reported_pp, 3) / 3, 1.0 - len(voice) / max(len(tokens), 1))


def ngrams(tokens, prefix, low, high):
    """Prefixed word n-grams of order low..high, as TfidfVectorizer would build them."""
    prefixed = list(map(prefix.__add__, tokens))
    grams = prefixed if low == 1 else []
    if high >= 2 and low <= 2:
        grams = grams + [f"{a} {b}" for a, b in zip(prefixed, tokens[1:])]
    for n in range(max(low, 3), high + 1):
        grams.extend(prefix + " ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


@lru_cache(maxsize=200_000)
def char_ngrams(token, low, high):
    """Character n-grams of one token padded with spaces (like analyzer='char_wb'), cached per token."""
    padded = f" {token} "
    return tuple(f"c:{padded[i:i + n]}" for n in range(low, high + 1) for i in range(len(padded) - n + 1))


class FeatureRows:
    """Feature values of a few documents: TF-IDF as CSR-style arrays, dense cues as a matrix."""

    __slots__ = ("indices", "values", "indptr", "cues")

    def __init__(self, indices, values, indptr, cues):
        self.indices, self.values, self.indptr, self.cues = indices, values, indptr, cues

    def __len__(self):
        return len(self.indptr) - 1

    def row(self, i):
        """(columns, values) of document i, cue columns numbered after the vocabulary."""
        start, end = self.indptr[i], self.indptr[i + 1]
        return self.indices[start:end], self.values[start:end], self.cues[i]


def _passthrough(terms):
    return terms


class TextFeatures(BaseEstimator, TransformerMixin):
    """Cleaning + tokens + cached stems -> one sparse row per document: TF-IDF terms, then dense cues.

    `clean=False` with `stems=None` is plain TF-IDF over raw words: the benchmarks' speed limit.
    """

    def __init__(self, stems=(1, 2), words=(1, 1), chars=None, min_df=2, max_df=0.9, sublinear_tf=True,
                 cues=False, cue_weight=1.0, clean=True):
        self.stems = stems
        self.words = words
        self.chars = chars
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.cues = cues
        self.cue_weight = cue_weight
        self.clean = clean

    def analyze(self, text):
        """(terms, cue vector) of one document: the only place a document is cleaned and stemmed."""
        cleaned = clean(text) if self.clean else text.lower()
        tokens = tokenize(cleaned)
        terms = []
        if self.stems:
            terms.extend(ngrams(stem_tokens(tokens), "s:", *self.stems))
        if self.words:
            terms.extend(ngrams(tokens, "w:", *self.words))
        if self.chars:
            low, high = self.chars
            for token in tokens:
                terms.extend(char_ngrams(token, low, high))
        cues = voice_cues(tokens, own_voice_tokens(cleaned, ATTRIBUTION_MARKERS)) if self.cues else None
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

    def transform_rows(self, X):
        """The same features as `transform`, as FeatureRows: cheaper than a sparse matrix for scoring."""
        return self._rows([self.analyze(text) for text in X])

    def _rows(self, analyses):
        """TF-IDF exactly as the fitted TfidfVectorizer computes it, without its per-call overhead."""
        lookup = self.vocabulary_.get
        indptr, index_parts, count_parts = [0], [], []
        for terms, _ in analyses:
            counts = Counter(terms)
            columns = np.fromiter(map(lookup, counts, repeat(-1)), dtype=np.int32, count=len(counts))
            known = columns >= 0
            index_parts.append(columns[known])
            count_parts.append(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))[known])
            indptr.append(indptr[-1] + len(index_parts[-1]))
        indices = np.concatenate(index_parts) if index_parts else np.zeros(0, dtype=np.int32)
        values = np.concatenate(count_parts) if count_parts else np.zeros(0)
        if self.sublinear_tf:
            np.log(values, out=values)
            values += 1.0
        values *= self.idf_[indices]
        indptr = np.asarray(indptr, dtype=np.int32)
        rows = np.repeat(np.arange(len(analyses)), np.diff(indptr))
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(analyses)))
        values /= norms[rows]
        cues = (np.array([cues for _, cues in analyses], dtype=np.float64).reshape(len(analyses), -1)
                * self.cue_weight if self.cues else np.zeros((len(analyses), 0)))
        return FeatureRows(indices, values, indptr, cues)

    def _vectorize(self, analyses):
        rows = self._rows(analyses)
        tfidf = sp.csr_matrix((rows.values, rows.indices, rows.indptr), shape=(len(analyses), len(self.vocabulary_)))
        return sp.hstack([tfidf, sp.csr_matrix(rows.cues)], format="csr") if self.cues else tfidf

    def get_feature_names_out(self, input_features=None):
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, column in self.vocabulary_.items():
            names[column] = term
        return np.concatenate([names, np.array(CUE_NAMES, dtype=object)]) if self.cues else names
