"""The per-term loops of a transform, compiled with numba.

A document's TF-IDF row needs a look-up per adjacent token pair, a count per term, a log, an idf
and a norm; in NumPy that is some forty array operations per document, each with its own temporary
array, and under a loaded server they cost several times their arithmetic. Here each is one pass
over the document's codes. Compiled functions are cached on disk (numba's cache), so only the first
process after an install compiles them.

Pair tables are open-addressing hash tables of (key, column) rows, -1 marking an empty slot; a key
is the first id in the high 32 bits and the second in the low ones.
"""
import numpy as np
from numba import njit

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * this are the slot
_EMPTY = -1


@njit(inline="always")
def _slot(key, bits):
    return np.int64((np.uint64(key) * _MULTIPLIER) >> np.uint64(64 - bits))


@njit(inline="always")
def _bits(size):
    bits = 0
    while (1 << bits) < size:
        bits += 1
    return bits


@njit(cache=True)
def pair_table(keys, columns):
    """The hash table of pair keys -> vocabulary columns, at most half full."""
    size = 2
    while size < 2 * len(keys):
        size <<= 1
    bits, mask = _bits(size), size - 1
    table = np.full((size, 2), _EMPTY, dtype=np.int64)
    for i in range(len(keys)):
        slot = _slot(keys[i], bits)
        while table[slot, 0] != _EMPTY:
            slot = (slot + 1) & mask
        table[slot, 0], table[slot, 1] = keys[i], columns[i]
    return table


@njit(inline="always")
def _pair_column(table, bits, key):
    mask = table.shape[0] - 1
    slot = _slot(key, bits)
    while True:
        found = table[slot, 0]
        if found == key:
            return table[slot, 1]
        if found == _EMPTY:
            return -1
        slot = (slot + 1) & mask


@njit(inline="always")
def _add(column, counts_keys, counts, order, n_distinct, bits):
    """Count one occurrence of `column` in the per-document table; returns the new number of distinct columns."""
    mask = counts_keys.shape[0] - 1
    slot = _slot(column, bits)
    while True:
        found = counts_keys[slot]
        if found == column:
            counts[slot] += 1
            return n_distinct
        if found == _EMPTY:
            counts_keys[slot], counts[slot] = column, 1
            order[n_distinct] = slot
            return n_distinct + 1
        slot = (slot + 1) & mask


@njit(cache=True, nogil=True)
def tfidf_rows(codes, starts, extra, extra_starts, pairs, idf, sublinear):
    """CSR rows (indices, values, indptr) of L2-normalised TF-IDF, one per document.

    `codes[starts[d]:starts[d + 1]]` are document d's tokens, one row each: stem column, word
    column (-1: not in the vocabulary), stem pair id, word pair id. Pairs of adjacent ids are
    looked up in `pairs`; `extra[extra_starts[d]:extra_starts[d + 1]]` are more columns of document
    d (character n-grams). Columns come in order of first occurrence.
    """
    n_docs = len(starts) - 1
    longest = 0
    for d in range(n_docs):
        longest = max(longest, 4 * (starts[d + 1] - starts[d]) + extra_starts[d + 1] - extra_starts[d])
    size = 16  # at most half full, even if every term of the longest document is a new one
    while size < 2 * longest:
        size <<= 1
    bits, pair_bits = _bits(size), _bits(pairs.shape[0])
    counts_keys, counts = np.full(size, _EMPTY, dtype=np.int64), np.zeros(size, dtype=np.int64)
    order = np.empty(max(longest, 1), dtype=np.int64)
    total = 4 * codes.shape[0] + extra.shape[0]
    indices, values = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.float64)
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    n_out = 0
    for d in range(n_docs):
        n_distinct = 0
        first, last = starts[d], starts[d + 1]
        for i in range(first, last):
            for field in range(2):
                if codes[i, field] >= 0:
                    n_distinct = _add(codes[i, field], counts_keys, counts, order, n_distinct, bits)
            if i + 1 < last:
                for field in range(2, 4):
                    column = _pair_column(pairs, pair_bits, codes[i, field] << 32 | codes[i + 1, field])
                    if column >= 0:
                        n_distinct = _add(column, counts_keys, counts, order, n_distinct, bits)
        for i in range(extra_starts[d], extra_starts[d + 1]):
            if extra[i] >= 0:
                n_distinct = _add(extra[i], counts_keys, counts, order, n_distinct, bits)
        norm = 0.0
        for j in range(n_distinct):
            slot = order[j]
            column, count = counts_keys[slot], counts[slot]
            value = (np.log(count) + 1.0 if sublinear else float(count)) * idf[column]
            indices[n_out + j], values[n_out + j] = column, value
            norm += value * value
            counts_keys[slot] = _EMPTY
        if norm > 0.0:
            norm = np.sqrt(norm)
            for j in range(n_out, n_out + n_distinct):
                values[j] /= norm
        n_out += n_distinct
        indptr[d + 1] = n_out
    return indices[:n_out], values[:n_out], indptr


@njit(cache=True, nogil=True)
def linear_scores(indices, values, indptr, weights, intercepts):
    """Rows x labels scores of CSR rows against features x labels weights."""
    n_docs, n_labels = len(indptr) - 1, weights.shape[1]
    scores = np.empty((n_docs, n_labels))
    for d in range(n_docs):
        for label in range(n_labels):
            scores[d, label] = intercepts[label]
        for j in range(indptr[d], indptr[d + 1]):
            column, value = indices[j], values[j]
            for label in range(n_labels):
                scores[d, label] += value * weights[column, label]
    return scores
