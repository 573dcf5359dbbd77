"""The shared feature step: each document is cleaned, tokenised and stemmed once, then turned into
TF-IDF weights over stems, surface words and (optionally) character n-grams, plus a few dense
"writer's voice" cues for stance. Fitting learns the vocabulary from term strings; transforming
goes through a TermIndex that maps text chunks straight to vocabulary columns.

Stems generalise over affixes, but Sastrawi merges words whose meaning matters here (pendudukan
"occupation" and penduduk "residents" both become duduk; menangis "to cry" becomes menang "to win"),
so surface words can be kept beside them. The optional cues count the guide's stance signs in the
writer's own voice (outside quotation marks and attributed sentences): a report that quotes
"genosida" is neutral, a column that says it is not. Training compares the feature sets, cues
included, by cross-validation.
"""
from array import array
from functools import lru_cache
from itertools import accumulate, chain, count, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from . import kernels, stemming
from .cache import BoundedCache
from .config import cache_sizes
from .stemming import stem_tokens
from .text import chunk_tokens, normalise, own_voice_tokens, strip_page, tokenize

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


def _packed(mapping):
    """A str-keyed dictionary as two flat objects: its keys joined by newlines (terms and tokens are
    cut at white space, so never hold one) and its values as an int64 array or another joined string.

    joblib unpickles in pure Python at about a microsecond per object: a model's dictionaries, some
    80,000 entries, would otherwise add a quarter of a second to every cold start."""
    values = list(mapping.values())
    if values and isinstance(values[0], str):
        return "\n".join(mapping), "\n".join(values)
    return "\n".join(mapping), np.array(values, dtype=np.int64)


_PACKED_ATTRIBUTES = frozenset({"vocabulary_", "stems_seen_"})  # of TextFeatures


def _unpacked(packed):
    """The dictionary `_packed` flattened (a plain dictionary, from models saved before, as it is)."""
    if isinstance(packed, dict):
        return packed
    keys, values = packed
    return dict(zip(keys.split("\n"), values.split("\n") if isinstance(values, str) else values.tolist()))


CODE_FIELDS = kernels.CODE_FIELDS  # a token's code: stem and word unigram columns, stem and word pair ids, as int64
CODE_BYTES = CODE_FIELDS * 8
_NO_COLUMNS = np.zeros(0, dtype=np.int64)


class TermIndex:
    """A fitted vocabulary laid out for fast transforms.

    Each white-space-separated chunk of text maps (through a bounded per-model cache) to one code
    per token: its stem's and its word's unigram columns, and the ids its stem and word have in
    bigrams. Bigram columns are then a hash-table look-up per pair of adjacent ids (see kernels):
    no term strings, no per-token Python work beyond fetching the chunks' codes. Stem and word ids
    share one numbering, so one table holds both kinds of pairs.
    """

    LAYOUT = 5  # changes whenever the attributes below do: a model saved with another is re-indexed on load

    def __init__(self, vocabulary, stemmed):
        self.layout = self.LAYOUT
        self.unigrams, self.pair_ids, self.chars = {"s": {}, "w": {}}, {"s": {}, "w": {}}, {}
        new_id = count()
        keys, columns = [], []
        for term, column in vocabulary.items():
            kind, _, body = term.partition(":")
            if kind == "c":
                self.chars[term] = column
            elif " " in body:
                ids = self.pair_ids[kind]
                first, second = body.split(" ")
                for word in (first, second):
                    if word not in ids:
                        ids[word] = next(new_id)
                keys.append(ids[first] << 32 | ids[second])
                columns.append(column)
            else:
                self.unigrams[kind][body] = column
        self.no_pair_id = next(new_id)  # in no pair
        self.pairs = kernels.pair_table(np.array(keys, dtype=np.int64), np.array(columns, dtype=np.int64))
        self.stemmed = stemmed
        self.chunk_codes = self._new_cache()

    def _new_cache(self):
        return BoundedCache(cache_sizes()[1], self._chunk_codes)

    def __getstate__(self):
        """Saved with the model (rebuilding it from the vocabulary would add to every cold start),
        dictionaries packed, without the cache, which belongs to the process."""
        state = {key: value for key, value in self.__dict__.items() if key != "chunk_codes"}
        state.update(unigrams={kind: _packed(terms) for kind, terms in self.unigrams.items()},
                     pair_ids={kind: _packed(ids) for kind, ids in self.pair_ids.items()}, chars=_packed(self.chars))
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self.layout == self.LAYOUT:  # another layout is rebuilt by TextFeatures.__setstate__
            self.unigrams = {kind: _unpacked(terms) for kind, terms in self.unigrams.items()}
            self.pair_ids = {kind: _unpacked(ids) for kind, ids in self.pair_ids.items()}
            self.chars = _unpacked(self.chars)
        self.chunk_codes = self._new_cache()

    def _chunk_codes(self, chunk):
        """The codes of a chunk's tokens as packed bytes: a document's codes are then one bytes join
        and one array view, however many chunks it has. (The chunk's tokens are not cached apart:
        this cache already holds what they lead to.)"""
        tokens = chunk_tokens(chunk)
        stems = stem_tokens(tokens) if self.stemmed else repeat(None)
        stem_column, word_column = self.unigrams["s"].get, self.unigrams["w"].get
        stem_id, word_id = self.pair_ids["s"].get, self.pair_ids["w"].get
        no_id = self.no_pair_id
        return array("q", chain.from_iterable(
            (stem_column(stem, -1), word_column(token, -1), stem_id(stem, no_id), word_id(token, no_id))
            for token, stem in zip(tokens, stems))).tobytes()

    def char_columns(self, tokens, low, high):
        grams = chain.from_iterable(char_ngrams(token, low, high) for token in tokens)
        return np.fromiter(map(self.chars.get, grams, repeat(-1)), dtype=np.int64)


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

    def _page(self, text):
        return strip_page(text) if self.clean else text

    def _with_lead(self, sequence, item_size=1):
        """The first `lead_words` tokens again in front of the sequence (a list, or packed codes)."""
        return sequence[:self.lead_words * item_size] + sequence if self.lead_words else sequence

    def _cues(self, page, tokens):
        return voice_cues(tokens, own_voice_tokens(normalise(page), ATTRIBUTION_MARKERS))

    def parse(self, text):
        """(tokens, stems, cues) of one document as strings: what the vocabulary is learnt from."""
        page = self._page(text)
        tokens = self._with_lead(tokenize(page))
        stems = stem_tokens(tokens) if self.stems else None
        return tokens, stems, self._cues(page, tokens) if self.cues else None

    def terms(self, parsed):
        """The named terms of a parsed document, the vocabulary TfidfVectorizer learns from."""
        tokens, stems, _ = parsed
        terms = ngrams(stems, "s:", *self.stems) if self.stems else []
        if self.words:
            terms += ngrams(tokens, "w:", *self.words)
        if self.chars:
            terms += chain.from_iterable(char_ngrams(token, *self.chars) for token in tokens)
        return terms

    def vectorizer(self):
        """The unfitted TfidfVectorizer that learns the vocabulary and idf from `terms` (only these
        two are kept: the fitted one would carry the vocabulary into the model file once more, unpacked)."""
        return TfidfVectorizer(analyzer=_passthrough, min_df=self.min_df, max_df=self.max_df,
                               sublinear_tf=self.sublinear_tf)

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        for name in ("stems", "words", "chars"):
            ngram_range = getattr(self, name)
            if ngram_range and name != "chars" and not 1 <= ngram_range[0] <= ngram_range[1] <= 2:
                raise ValueError(f"{name}={ngram_range!r}: word n-grams of order 1 and 2 are supported")
        X = list(X)
        parsed = [self.parse(text) for text in X]
        vectorizer = self.vectorizer().fit(self.terms(p) for p in parsed)
        self.vocabulary_, self.idf_ = vectorizer.vocabulary_, vectorizer.idf_
        self.stems_seen_ = ({token: stem for tokens, stems, _ in parsed for token, stem in zip(tokens, stems)}
                            if self.stems else {})
        self.n_features_out_ = len(self.vocabulary_) + (len(CUE_NAMES) if self.cues else 0)
        self.index_ = TermIndex(self.vocabulary_, bool(self.stems))
        return self.transform(X)

    def __getstate__(self):
        state = dict(super().__getstate__())  # the base class may hand back __dict__ itself
        for name in _PACKED_ATTRIBUTES.intersection(state):
            state[name] = _packed(state[name])
        return state

    def __setstate__(self, state):
        """A loaded model starts its process's stem cache with every token stemmed in training: each
        process (API worker, labelling worker) would otherwise pay Sastrawi's cost for them again."""
        super().__setstate__(state)
        for name in _PACKED_ATTRIBUTES.intersection(state):
            setattr(self, name, _unpacked(state[name]))
        if "vocabulary_" in state and getattr(state.get("index_"), "layout", None) != TermIndex.LAYOUT:
            self.index_ = TermIndex(self.vocabulary_, bool(self.stems))
        stemming.prime(getattr(self, "stems_seen_", {}))

    def transform(self, X):
        rows = self.transform_rows(X)
        tfidf = sp.csr_matrix((rows.values, rows.indices, rows.indptr), shape=(len(rows), len(self.vocabulary_)))
        return sp.hstack([tfidf, sp.csr_matrix(rows.cues)], format="csr") if self.cues else tfidf

    def transform_rows(self, X):
        """The same features as `transform`, as FeatureRows: cheaper than a sparse matrix for scoring."""
        documents = [self._document(text) for text in X]
        codes = np.frombuffer(b"".join([codes for codes, _, _ in documents]), dtype=np.int64)
        starts = _starts(len(codes) // CODE_BYTES for codes, _, _ in documents)
        extra, extra_starts = _NO_COLUMNS, np.zeros(len(documents) + 1, dtype=np.int64)
        if self.chars:
            extra = np.concatenate([columns for _, columns, _ in documents] or [_NO_COLUMNS])
            extra_starts = _starts(len(columns) for _, columns, _ in documents)
        indices, values, indptr = kernels.tfidf_rows(codes.reshape(-1, CODE_FIELDS), starts, extra, extra_starts,
                                                     self.index_.pairs, self.idf_, self.sublinear_tf)
        cues = (np.array([cues for _, _, cues in documents], dtype=np.float64).reshape(len(documents), -1)
                * self.cue_weight if self.cues else np.zeros((len(documents), 0)))
        return FeatureRows(indices, values, indptr, cues)

    def _document(self, text):
        """(packed token codes, character n-gram columns or None, cues or None) of one document."""
        page = self._page(text)
        codes = self._with_lead(b"".join(self.index_.chunk_codes.get_all(page.split())), CODE_BYTES)
        if not (self.chars or self.cues):
            return codes, None, None
        tokens = self._with_lead(tokenize(page))
        return (codes, self.index_.char_columns(tokens, *self.chars) if self.chars else None,
                self._cues(page, tokens) if self.cues else None)

    def get_feature_names_out(self, input_features=None):
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, column in self.vocabulary_.items():
            names[column] = term
        return np.concatenate([names, np.array(CUE_NAMES, dtype=object)]) if self.cues else names


def _starts(lengths):
    """Where each of a run of blocks starts, and where the last ends: [0, l0, l0 + l1, ...]."""
    return np.fromiter(accumulate(lengths, initial=0), dtype=np.int64)
