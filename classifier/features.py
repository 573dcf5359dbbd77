"""The shared feature step: each document is cleaned, tokenised and stemmed once, then turned into
TF-IDF weights over stems, surface words and (optionally) character n-grams, plus a few dense
"writer's voice" cues for stance.

Stems generalise over affixes, but Sastrawi merges words whose meaning matters here (pendudukan
"occupation" and penduduk "residents" both become duduk; menangis "to cry" becomes menang "to win"),
so surface words can be kept beside them. The optional cues count the guide's stance signs in the
writer's own voice (outside quotation marks and attributed sentences): a report that quotes
"genosida" is neutral, a column that says it is not. Training compares the feature sets, cues
included, by cross-validation.
"""
from functools import lru_cache
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from . import stemming
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
    """Prefixed word n-grams of order low..high (at most 2), as TfidfVectorizer would name them."""
    prefixed = list(map(prefix.__add__, tokens))
    unigrams = prefixed if low == 1 else []
    return unigrams + [f"{a} {b}" for a, b in zip(prefixed, tokens[1:])] if high == 2 else unigrams


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


def _lookups(vocabulary):
    """Columns by kind: 's1'/'w1' keyed by token, 's2'/'w2' by token pair, 'c' by char n-gram, so that
    transforming a document needs no n-gram strings."""
    lookups = {"s1": {}, "s2": {}, "w1": {}, "w2": {}, "c": {}}
    for term, column in vocabulary.items():
        kind, _, body = term.partition(":")
        if kind == "c":
            lookups["c"][term] = column
        else:
            parts = body.split(" ")
            lookups[f"{kind}{len(parts)}"][parts[0] if len(parts) == 1 else tuple(parts)] = column
    return lookups


class TextFeatures(BaseEstimator, TransformerMixin):
    """Cleaning + tokens + cached stems -> one sparse row per document: TF-IDF terms, then dense cues.

    `lead_words` first words are counted twice: the guide decides by the headline and the main
    paragraphs, not by background paragraphs further down. `clean=False` with `stems=None` is plain
    TF-IDF over raw words: the benchmarks' speed limit.
    """

    def __init__(self, stems=(1, 2), words=(1, 1), chars=None, min_df=2, max_df=0.9, sublinear_tf=True,
                 cues=False, cue_weight=1.0, clean=True, lead_words=50):
        self.stems = stems
        self.words = words
        self.chars = chars
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.cues = cues
        self.cue_weight = cue_weight
        self.clean = clean
        self.lead_words = lead_words

    def parse(self, text):
        """(tokens, stems, cues) of one document: the only place a document is cleaned and stemmed."""
        cleaned = clean(text) if self.clean else text.lower()
        tokens = tokenize(cleaned)
        if self.lead_words:
            tokens = tokens[:self.lead_words] + tokens
        stems = stem_tokens(tokens) if self.stems else None
        cues = voice_cues(tokens, own_voice_tokens(cleaned, ATTRIBUTION_MARKERS)) if self.cues else None
        return tokens, stems, cues

    def terms(self, parsed):
        """The named terms of a parsed document, the vocabulary TfidfVectorizer learns from."""
        tokens, stems, _ = parsed
        terms = ngrams(stems, "s:", *self.stems) if self.stems else []
        if self.words:
            terms += ngrams(tokens, "w:", *self.words)
        if self.chars:
            terms += chain.from_iterable(char_ngrams(token, *self.chars) for token in tokens)
        return terms

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        for name in ("stems", "words", "chars"):
            ngram_range = getattr(self, name)
            if ngram_range and name != "chars" and not 1 <= ngram_range[0] <= ngram_range[1] <= 2:
                raise ValueError(f"{name}={ngram_range!r}: word n-grams of order 1 and 2 are supported")
        parsed = [self.parse(text) for text in X]
        self.vectorizer_ = TfidfVectorizer(analyzer=_passthrough, min_df=self.min_df, max_df=self.max_df,
                                           sublinear_tf=self.sublinear_tf)
        self.vectorizer_.fit(self.terms(p) for p in parsed)
        self.vectorizer_.stop_words_ = None  # only needed for introspection; it can hold most of the corpus
        self.vocabulary_ = self.vectorizer_.vocabulary_
        self.idf_ = self.vectorizer_.idf_
        self.lookups_ = _lookups(self.vocabulary_)
        self.stems_seen_ = ({token: stem for tokens, stems, _ in parsed for token, stem in zip(tokens, stems)}
                            if self.stems else {})
        self.n_features_out_ = len(self.vocabulary_) + (len(CUE_NAMES) if self.cues else 0)
        return self._vectorize(parsed)

    def __setstate__(self, state):
        """A loaded model starts its process's stem cache with every token stemmed in training: each
        process (API worker, labelling worker) would otherwise pay Sastrawi's cost for them again."""
        self.__dict__.update(state)
        stemming.prime(state.get("stems_seen_", {}))

    def transform(self, X):
        return self._vectorize([self.parse(text) for text in X])

    def transform_rows(self, X):
        """The same features as `transform`, as FeatureRows: cheaper than a sparse matrix for scoring."""
        return self._rows([self.parse(text) for text in X])

    def _columns(self, tokens, stems):
        """Vocabulary columns of every term occurrence of a document (-1 when unknown), lazily."""
        lookups, found = self.lookups_, []
        for kind, sequence, ngram_range in (("s", stems, self.stems), ("w", tokens, self.words)):
            if ngram_range:
                if ngram_range[0] == 1:
                    found.append(map(lookups[kind + "1"].get, sequence, repeat(-1)))
                if ngram_range[1] == 2:
                    found.append(map(lookups[kind + "2"].get, zip(sequence, sequence[1:]), repeat(-1)))
        if self.chars:
            grams = chain.from_iterable(char_ngrams(token, *self.chars) for token in tokens)
            found.append(map(lookups["c"].get, grams, repeat(-1)))
        return chain.from_iterable(found)

    def _rows(self, parsed):
        """TF-IDF exactly as the fitted TfidfVectorizer computes it, for all documents at once."""
        n_docs, n_terms = len(parsed), len(self.vocabulary_)
        columns = [np.fromiter(self._columns(tokens, stems), dtype=np.int64) for tokens, stems, _ in parsed]
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), [len(c) for c in columns])
        keys = doc_of * n_terms + (np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64))
        keys = keys[keys >= doc_of * n_terms]  # unknown terms have column -1
        keys.sort()
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else keys
        values = np.diff(np.append(starts, len(keys))).astype(np.float64)
        docs, indices = np.divmod(keys[starts], n_terms)
        if self.sublinear_tf:
            np.log(values, out=values)
            values += 1.0
        values *= self.idf_[indices]
        values /= np.sqrt(np.bincount(docs, weights=values * values, minlength=n_docs))[docs]
        indptr = np.searchsorted(docs, np.arange(n_docs + 1)).astype(np.int32)
        cues = (np.array([cues for _, _, cues in parsed], dtype=np.float64).reshape(n_docs, -1)
                * self.cue_weight if self.cues else np.zeros((n_docs, 0)))
        return FeatureRows(indices.astype(np.int32), values, indptr, cues)

    def _vectorize(self, parsed):
        rows = self._rows(parsed)
        tfidf = sp.csr_matrix((rows.values, rows.indices, rows.indptr), shape=(len(parsed), len(self.vocabulary_)))
        return sp.hstack([tfidf, sp.csr_matrix(rows.cues)], format="csr") if self.cues else tfidf

    def get_feature_names_out(self, input_features=None):
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, column in self.vocabulary_.items():
            names[column] = term
        return np.concatenate([names, np.array(CUE_NAMES, dtype=object)]) if self.cues else names
