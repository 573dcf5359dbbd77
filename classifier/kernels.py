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
def _log2(size):
    """The bits of the smallest power of two >= size: tables of 2 * keys slots are at most half full."""
    bits = 0
    while (1 << bits) < size:
        bits += 1
    return bits


@njit(inline="always")
def _find(keys, key, bits):
    """The slot of `key` in an open-addressing array of keys, or the empty slot where it would go."""
    mask = keys.shape[0] - 1
    slot = np.int64((np.uint64(key) * _MULTIPLIER) >> np.uint64(64 - bits))
    while keys[slot] != key and keys[slot] != _EMPTY:
        slot = (slot + 1) & mask
    return slot


@njit(cache=True)
def pair_table(keys, columns):
    """The hash table of pair keys -> vocabulary columns (an empty slot's column is -1 too)."""
    bits = _log2(max(16, 2 * len(keys)))
    table = np.full((1 << bits, 2), _EMPTY, dtype=np.int64)
    for i in range(len(keys)):
        slot = _find(table[:, 0], keys[i], bits)
        table[slot, 0], table[slot, 1] = keys[i], columns[i]
    return table


@njit(inline="always")
def _add(column, counts_keys, counts, order, n_distinct, bits):
    """Count one occurrence of `column` in the per-document table; returns the new number of distinct columns."""
    slot = _find(counts_keys, column, bits)
    if counts_keys[slot] == column:
        counts[slot] += 1
        return n_distinct
    counts_keys[slot], counts[slot] = column, 1
    order[n_distinct] = slot
    return n_distinct + 1


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
    bits = _log2(max(16, 2 * longest))  # every term of the longest document could be a new one
    pair_keys, pair_columns, pair_bits = pairs[:, 0], pairs[:, 1], _log2(pairs.shape[0])
    counts_keys, counts = np.full(1 << bits, _EMPTY, dtype=np.int64), np.zeros(1 << bits, dtype=np.int64)
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
                    column = pair_columns[_find(pair_keys, codes[i, field] << 32 | codes[i + 1, field], pair_bits)]
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
