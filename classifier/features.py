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
import math
from array import array
from functools import lru_cache
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from . import stemming
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


def _count(keys):
    """(distinct keys in order, how often each occurs): np.unique's result with a third of its calls."""
    keys = np.sort(keys)
    if not len(keys):
        return keys, keys
    bounds = np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1, [len(keys)]))
    return keys[bounds[:-1]], bounds[1:] - bounds[:-1]


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


_ID_BITS = 32  # a pair's key: the first id in the high bits, the second in the low ones
CODE_FIELDS = 4  # a token's code: stem and word unigram columns, stem and word ids, as int64
CODE_BYTES = CODE_FIELDS * 8


class PairColumns:
    """Vocabulary columns of id pairs in a bucketed hash table: each key hashes to one bucket of
    BUCKET slots (one cache line), so all of a document's pairs are looked up with a handful of array
    operations and no probing (a binary search costs three times more)."""

    BUCKET = 8
    _MULTIPLIER = -0x61C8864680B583EB  # 0x9E3779B97F4A7C15 as int64: products wrap, the top bits hash

    def __init__(self, pairs):
        keys = np.array([a << _ID_BITS | b for a, b in pairs], dtype=np.int64)
        columns = np.array(list(pairs.values()), dtype=np.int64)
        bits = max(1, (len(keys) // self.BUCKET).bit_length())
        while True:  # about two keys per bucket; a bucket that overflows (rare) doubles the table
            self._shift, self._mask = 64 - bits, (1 << bits) - 1
            buckets = self._buckets(keys)
            if not len(keys) or np.bincount(buckets).max() <= self.BUCKET:
                break
            bits += 1
        order = np.argsort(buckets, kind="stable")
        buckets = buckets[order]
        first_of_bucket = np.searchsorted(buckets, buckets)
        slots = buckets * self.BUCKET + np.arange(len(buckets)) - first_of_bucket
        self._keys = np.full((1 << bits) * self.BUCKET, -1, dtype=np.int64)
        self._columns = np.full((1 << bits) * self.BUCKET, -1, dtype=np.int64)
        self._keys[slots], self._columns[slots] = keys[order], columns[order]
        self._keys, self._columns = self._keys.reshape(-1, self.BUCKET), self._columns.reshape(-1, self.BUCKET)
        self._size = len(keys)

    def __len__(self):
        return self._size

    def _buckets(self, keys):
        return (keys * self._MULTIPLIER >> self._shift) & self._mask

    def lookup(self, first_ids, second_ids):
        """Columns of the pairs that are in the vocabulary, in no particular order."""
        keys = first_ids << _ID_BITS | second_ids
        buckets = self._buckets(keys)
        found = self._keys.take(buckets, axis=0) == keys[:, None]  # take: rows gathered 3x faster than [ ]
        return self._columns.take(buckets, axis=0)[found]


class TermIndex:
    """A fitted vocabulary laid out for fast transforms.

    Each white-space-separated chunk of text maps (through a bounded per-model cache) to one code
    per token: its stem's and its word's unigram columns, and the ids its stem and word have in
    bigrams. A document's unigram columns are then a slice of its codes, and its bigram columns
    hash-table look-ups by id pair: no term strings, no per-token Python work beyond fetching the
    chunks' codes.
    """

    LAYOUT = 3  # changes whenever the attributes below do: a model saved with another is re-indexed on load

    def __init__(self, vocabulary, stemmed):
        self.layout = self.LAYOUT
        self.unigrams, self.pair_ids, self.chars = {"s": {}, "w": {}}, {"s": {}, "w": {}}, {}
        pairs = {"s": {}, "w": {}}
        for term, column in vocabulary.items():
            kind, _, body = term.partition(":")
            if kind == "c":
                self.chars[term] = column
            elif " " in body:
                ids = self.pair_ids[kind]
                first, second = body.split(" ")
                pairs[kind][ids.setdefault(first, len(ids)), ids.setdefault(second, len(ids))] = column
            else:
                self.unigrams[kind][body] = column
        self.stemmed = stemmed
        self.pairs = [PairColumns(pairs[kind]) for kind in ("s", "w")]
        self.chunk_codes = self._new_cache()

    def _new_cache(self):
        return BoundedCache(cache_sizes()[1], self._chunk_codes)

    def __getstate__(self):
        """Saved with the model (rebuilding it from the vocabulary would add to every cold start),
        without the cache, which belongs to the process."""
        return {key: value for key, value in self.__dict__.items() if key != "chunk_codes"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.chunk_codes = self._new_cache()

    def _chunk_codes(self, chunk):
        """The codes of a chunk's tokens as packed bytes: a document's codes are then one bytes join
        and one array view, however many chunks it has. (The chunk's tokens are not cached apart:
        this cache already holds what they lead to.)"""
        tokens = chunk_tokens(chunk)
        stems = stem_tokens(tokens) if self.stemmed else repeat(None)
        stem_column, word_column = self.unigrams["s"].get, self.unigrams["w"].get
        stem_id, word_id = self.pair_ids["s"].get, self.pair_ids["w"].get
        no_stem, no_word = len(self.pair_ids["s"]), len(self.pair_ids["w"])  # one past the last id: in no pair
        return array("q", chain.from_iterable(
            (stem_column(stem, -1), word_column(token, -1), stem_id(stem, no_stem), word_id(token, no_word))
            for token, stem in zip(tokens, stems))).tobytes()

    def columns(self, codes):
        """Columns of every stem and word unigram and bigram in a document's packed codes (-1: not in the vocabulary)."""
        codes = np.frombuffer(codes, dtype=np.int64).reshape(-1, CODE_FIELDS)
        found = [codes[:, 0], codes[:, 1]]
        for kind, pairs in enumerate(self.pairs, 2):
            if pairs and len(codes) > 1:
                found.append(pairs.lookup(codes[:-1, kind], codes[1:, kind]))
        return np.concatenate(found)

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
        self.vectorizer_ = TfidfVectorizer(analyzer=_passthrough, min_df=self.min_df, max_df=self.max_df,
                                           sublinear_tf=self.sublinear_tf)
        self.vectorizer_.fit(self.terms(p) for p in parsed)
        self.vectorizer_.stop_words_ = None  # only needed for introspection; it can hold most of the corpus
        self.vocabulary_ = self.vectorizer_.vocabulary_
        self.idf_ = self.vectorizer_.idf_
        self.stems_seen_ = ({token: stem for tokens, stems, _ in parsed for token, stem in zip(tokens, stems)}
                            if self.stems else {})
        self.n_features_out_ = len(self.vocabulary_) + (len(CUE_NAMES) if self.cues else 0)
        self.index_ = TermIndex(self.vocabulary_, bool(self.stems))
        return self.transform(X)

    def __setstate__(self, state):
        """A loaded model starts its process's stem cache with every token stemmed in training: each
        process (API worker, labelling worker) would otherwise pay Sastrawi's cost for them again."""
        super().__setstate__(state)
        if "vocabulary_" in state and getattr(state.get("index_"), "layout", None) != TermIndex.LAYOUT:
            self.index_ = TermIndex(self.vocabulary_, bool(self.stems))
        stemming.prime(state.get("stems_seen_", {}))

    def transform(self, X):
        rows = self.transform_rows(X)
        tfidf = sp.csr_matrix((rows.values, rows.indices, rows.indptr), shape=(len(rows), len(self.vocabulary_)))
        return sp.hstack([tfidf, sp.csr_matrix(rows.cues)], format="csr") if self.cues else tfidf

    def transform_rows(self, X):
        """The same features as `transform`, as FeatureRows: cheaper than a sparse matrix for scoring."""
        return self._rows([self._document(text) for text in X])

    def _document(self, text):
        """(vocabulary column of every term occurrence, -1 when unknown; cues or None) of one document."""
        page = self._page(text)
        codes = self._with_lead(b"".join(self.index_.chunk_codes.get_all(page.split())), CODE_BYTES)
        columns = self.index_.columns(codes)
        if not (self.chars or self.cues):
            return columns, None
        tokens = self._with_lead(tokenize(page))
        if self.chars:
            columns = np.concatenate((columns, self.index_.char_columns(tokens, *self.chars)))
        return columns, self._cues(page, tokens) if self.cues else None

    def _rows(self, documents):
        """TF-IDF exactly as the fitted TfidfVectorizer computes it, for all documents at once."""
        n_docs, n_terms = len(documents), len(self.vocabulary_)
        columns = [columns for columns, _ in documents]
        flat = columns[0] if n_docs == 1 else np.concatenate(columns or [np.zeros(0, dtype=np.int64)])
        keys = flat if n_docs == 1 else flat + np.repeat(np.arange(n_docs) * n_terms, list(map(len, columns)))
        keys, counts = _count(keys[flat >= 0])  # unknown terms have column -1
        values = np.log(counts) + 1.0 if self.sublinear_tf else counts.astype(np.float64)
        if n_docs == 1:  # one document needs no document numbers: its row is everything
            docs, indices, indptr = None, keys, np.array([0, len(keys)])
        else:
            docs, indices = np.divmod(keys, n_terms)
            indptr = np.searchsorted(docs, np.arange(n_docs + 1))
        values *= self.idf_[indices]
        values /= (math.sqrt(values @ values) if docs is None
                   else np.sqrt(np.bincount(docs, weights=values * values, minlength=n_docs))[docs])
        cues = (np.array([cues for _, cues in documents], dtype=np.float64).reshape(n_docs, -1)
                * self.cue_weight if self.cues else np.zeros((n_docs, 0)))
        return FeatureRows(indices, values, indptr, cues)

    def get_feature_names_out(self, input_features=None):
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, column in self.vocabulary_.items():
            names[column] = term
        return np.concatenate([names, np.array(CUE_NAMES, dtype=object)]) if self.cues else names
