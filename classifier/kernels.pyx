# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The per-term loops of a transform, compiled (Cython, built when the project is installed).

A document's TF-IDF row needs a look-up per adjacent token pair, a count per term, a log, an idf
and a norm; in NumPy that is some forty array operations per document, each with its own temporary
array, and under a loaded server they cost several times their arithmetic. Here each is one pass
over the document's codes, without the GIL. (numba did the same, but importing it and loading its
cached code added 0.4-0.5 s to every cold start, and its first process compiled for seconds.)

Pair tables are open-addressing hash tables of (key, column) rows, -1 marking an empty slot; a key
is the first id in the high 32 bits and the second in the low ones.
"""
import numpy as np

from libc.math cimport log, sqrt
from libc.stdint cimport int64_t, uint64_t

ctypedef int64_t i64

cdef uint64_t MULTIPLIER = 0x9E3779B97F4A7C15ULL  # Fibonacci hashing: the top bits of key * this are the slot
cdef i64 EMPTY = -1
CODE_FIELDS = 4  # stem and word unigram columns, stem and word pair ids (features.TermIndex)
cdef i64 TERMS_PER_TOKEN = 4  # at most: its stem, its word, and the stem and word pairs it starts


cdef inline int _log2(i64 size) noexcept nogil:
    """The bits of the smallest power of two >= size: tables of 2 * keys slots are at most half full."""
    cdef int bits = 0
    while (<i64>1 << bits) < size:
        bits += 1
    return bits


cdef inline i64 _find(const i64* keys, i64 stride, i64 key, int bits) noexcept nogil:
    """The slot of `key` in an open-addressing table whose keys are `stride` apart, or the empty slot
    where it would go."""
    cdef i64 mask = ((<i64>1) << bits) - 1
    cdef i64 slot = <i64>((<uint64_t>key * MULTIPLIER) >> (64 - bits))
    while keys[slot * stride] != key and keys[slot * stride] != EMPTY:
        slot = (slot + 1) & mask
    return slot


def pair_table(const i64[::1] keys, const i64[::1] columns):
    """The hash table of pair keys -> vocabulary columns (an empty slot's column is -1 too)."""
    cdef int bits = _log2(max(16, 2 * keys.shape[0]))
    table_array = np.full((1 << bits, 2), EMPTY, dtype=np.int64)
    cdef i64[:, ::1] table = table_array
    cdef i64 i, slot
    with nogil:
        for i in range(keys.shape[0]):
            slot = _find(&table[0, 0], 2, keys[i], bits)
            table[slot, 0] = keys[i]
            table[slot, 1] = columns[i]
    return table_array


cdef inline i64 _add(i64 column, i64* counts_keys, i64* counts, i64* order, i64 n_distinct, int bits) noexcept nogil:
    """Count one occurrence of `column` in the per-document table; returns the new number of distinct columns."""
    cdef i64 slot = _find(counts_keys, 1, column, bits)
    if counts_keys[slot] == column:
        counts[slot] += 1
        return n_distinct
    counts_keys[slot] = column
    counts[slot] = 1
    order[n_distinct] = slot
    return n_distinct + 1


def tfidf_rows(const i64[:, ::1] codes, const i64[::1] starts, const i64[::1] extra, const i64[::1] extra_starts,
               const i64[:, ::1] pairs, const double[::1] idf, bint sublinear):
    """CSR rows (indices, values, indptr) of L2-normalised TF-IDF, one per document.

    `codes[starts[d]:starts[d + 1]]` are document d's tokens, one row each: stem column, word
    column (-1: not in the vocabulary), stem pair id, word pair id. Pairs of adjacent ids are
    looked up in `pairs`; `extra[extra_starts[d]:extra_starts[d + 1]]` are more columns of document
    d (character n-grams). Columns come in order of first occurrence.
    """
    if codes.shape[1] != CODE_FIELDS:
        raise ValueError(f"token codes have {codes.shape[1]} fields; this kernel reads {CODE_FIELDS}")
    cdef i64 n_docs = starts.shape[0] - 1
    cdef i64 d, i, j, field, slot, column, count, first, last, n_distinct, n_out = 0, longest = 0
    cdef double value, norm
    for d in range(n_docs):
        longest = max(longest, TERMS_PER_TOKEN * (starts[d + 1] - starts[d]) + extra_starts[d + 1] - extra_starts[d])
    cdef int bits = _log2(max(16, 2 * longest))  # every term of the longest document could be a new one
    cdef int pair_bits = _log2(pairs.shape[0])
    cdef i64[::1] counts_keys = np.full(1 << bits, EMPTY, dtype=np.int64)
    cdef i64[::1] counts = np.zeros(1 << bits, dtype=np.int64)
    cdef i64[::1] order = np.empty(max(longest, 1), dtype=np.int64)
    total = TERMS_PER_TOKEN * codes.shape[0] + extra.shape[0]
    indices_array, values_array = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.float64)
    indptr_array = np.zeros(n_docs + 1, dtype=np.int64)
    cdef i64[::1] indices = indices_array, indptr = indptr_array
    cdef double[::1] values = values_array
    with nogil:
        for d in range(n_docs):
            n_distinct = 0
            first, last = starts[d], starts[d + 1]
            for i in range(first, last):
                for field in range(2):
                    if codes[i, field] >= 0:
                        n_distinct = _add(codes[i, field], &counts_keys[0], &counts[0], &order[0], n_distinct, bits)
                if i + 1 < last:
                    for field in range(2, 4):
                        column = pairs[_find(&pairs[0, 0], 2, codes[i, field] << 32 | codes[i + 1, field], pair_bits), 1]
                        if column >= 0:
                            n_distinct = _add(column, &counts_keys[0], &counts[0], &order[0], n_distinct, bits)
            for i in range(extra_starts[d], extra_starts[d + 1]):
                if extra[i] >= 0:
                    n_distinct = _add(extra[i], &counts_keys[0], &counts[0], &order[0], n_distinct, bits)
            norm = 0.0
            for j in range(n_distinct):
                slot = order[j]
                column, count = counts_keys[slot], counts[slot]
                value = (log(<double>count) + 1.0 if sublinear else <double>count) * idf[column]
                indices[n_out + j], values[n_out + j] = column, value
                norm += value * value
                counts_keys[slot] = EMPTY
            if norm > 0.0:
                norm = sqrt(norm)
                for j in range(n_out, n_out + n_distinct):
                    values[j] /= norm
            n_out += n_distinct
            indptr[d + 1] = n_out
    return indices_array[:n_out], values_array[:n_out], indptr_array


def linear_scores(const i64[::1] indices, const double[::1] values, const i64[::1] indptr,
                  const double[:, ::1] weights, const double[::1] intercepts):
    """Rows x labels scores of CSR rows against features x labels weights."""
    cdef i64 n_docs = indptr.shape[0] - 1, n_labels = weights.shape[1]
    scores_array = np.empty((n_docs, n_labels))
    cdef double[:, ::1] scores = scores_array
    cdef i64 d, j, label, column
    cdef double value
    with nogil:
        for d in range(n_docs):
            for label in range(n_labels):
                scores[d, label] = intercepts[label]
            for j in range(indptr[d], indptr[d + 1]):
                column, value = indices[j], values[j]
                for label in range(n_labels):
                    scores[d, label] += value * weights[column, label]
    return scores_array
