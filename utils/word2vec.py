"""word2vec from scratch: text to word ids, a vocabulary, minibatches of skip-gram pairs, a NumPy trainer for
skip-gram with negative sampling (SGNS), and questions to the learned vectors (used by the Week-2 lab).

The maths that the lab grades lives in its notebook, not here: the trainer takes the notebook's functions as
arguments (the loss and its gradients, the pair builder) together with the arrays its other graded functions
compute (keep probabilities for subsampling, the noise distribution), so nothing is written twice.

A corpus is a 1-D array of word ids, speech after speech, with SEPARATOR (-1) between two speeches: no
training pair crosses it.
"""
import re
from typing import NamedTuple

import numpy as np
from tqdm import tqdm

WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
SEPARATOR = -1


# --- Text to ids -------------------------------------------------------------------------------

def tokenize(text):
    """The lower-case words of `text`: runs of letters, with apostrophes kept inside a word (o'er, i'll), not at its ends."""
    return WORD.findall(text.lower())


def tokenize_speeches(text):
    """One list of words per speech (speeches are separated by blank lines); speeches without words are left out."""
    speeches = (tokenize(speech) for speech in re.split(r"\n\s*\n", text))
    return [words for words in speeches if words]


class Vocabulary(NamedTuple):
    """The words kept for training, most frequent first, and how often each occurs."""
    words: list          # words[i] is the word with id i
    index: dict          # {word: id}
    counts: np.ndarray   # counts[i]: occurrences of words[i] in the corpus (int64)

    def id_of(self, word):
        """The id of `word`; a KeyError that names the word if it is not in the vocabulary."""
        try:
            return self.index[word]
        except KeyError:
            raise KeyError(f"{word!r} is not in the vocabulary of {len(self.words):,} words") from None


def build_vocabulary(token_lists, min_count=5):
    """The Vocabulary of the words seen at least `min_count` times, by decreasing count, ties in alphabetical order."""
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    counts = {}
    for tokens in token_lists:
        for word in tokens:
            counts[word] = counts.get(word, 0) + 1
    kept = sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))
    if not kept:
        raise ValueError(f"no word occurs at least min_count={min_count} times: the corpus is empty or too small")
    return Vocabulary(kept, {w: i for i, w in enumerate(kept)}, np.array([counts[w] for w in kept], dtype=np.int64))


def encode(token_lists, vocabulary):
    """The corpus as one int64 array: the ids of the known words of each speech, SEPARATOR between speeches."""
    ids = []
    for tokens in token_lists:
        known = [vocabulary.index[w] for w in tokens if w in vocabulary.index]
        if known:
            if ids:
                ids.append(SEPARATOR)
            ids += known
    return np.array(ids, dtype=np.int64)


def subsample(ids, keep_probability, rng):
    """The corpus with each word occurrence kept with the probability of its id (separators are always kept)."""
    is_word = ids >= 0
    keep = ~is_word
    keep[is_word] = rng.random(int(is_word.sum())) < keep_probability[ids[is_word]]
    return ids[keep]


# --- Training ---------------------------------------------------------------------------------------

def draw_negatives(cumulative, shape, rng):
    """Word ids drawn independently from the distribution whose cumulative sums are `cumulative`."""
    draws = np.searchsorted(cumulative, rng.random(shape) * cumulative[-1], side="right")
    return np.minimum(draws, len(cumulative) - 1)  # guards against rounding at the very top


def initialize_embeddings(vocab_size, dim, rng, dtype=np.float32):
    """(W_in, W_out) as word2vec starts them: centre vectors uniform in ±0.5/dim, context vectors zero."""
    W_in = ((rng.random((vocab_size, dim)) - 0.5) / dim).astype(dtype)
    return W_in, np.zeros((vocab_size, dim), dtype=dtype)


def scatter_add(matrix, rows, updates):
    """matrix[rows[i]] += updates[i] for every i, repeated rows adding up (np.add.at on the flattened matrix, faster)."""
    dim = matrix.shape[1]
    flat = (np.asarray(rows)[:, None] * dim + np.arange(dim)).ravel()
    np.add.at(matrix.reshape(-1), flat, np.asarray(updates, dtype=matrix.dtype).ravel())


def sgd_step(W_in, W_out, centres, contexts, negatives, gradients, learning_rate):
    """One SGD step, in place: a batch's gradients (keys dv_c, du_o, du_neg) scattered into the rows they belong to."""
    dv_c, du_o, du_neg = gradients["dv_c"], gradients["du_o"], gradients["du_neg"]
    scatter_add(W_in, centres, -learning_rate * dv_c)
    scatter_add(W_out, np.concatenate([contexts, negatives.ravel()]),
                -learning_rate * np.concatenate([du_o, du_neg.reshape(-1, du_neg.shape[-1])]))


class TrainedSGNS(NamedTuple):
    """What train_sgns returns."""
    W_in: np.ndarray         # (vocab_size, dim): centre ("input") vectors, the word vectors we keep
    W_out: np.ndarray        # (vocab_size, dim): context ("output") vectors
    losses: np.ndarray       # the mean loss per pair of every batch, in training order
    pairs_per_epoch: list    # how many (centre, context) pairs each epoch trained on
    words_per_epoch: int     # corpus words read per epoch (before subsampling)


def train_sgns(ids, loss_and_gradients, make_pairs, keep_probability, noise, dim=100, window=5, negatives=5,
               epochs=1, batch_size=1024, learning_rate=0.025, seed=0, progress=True, dtype=np.float32):
    """Train SGNS word vectors on a corpus of ids with minibatch SGD; returns a TrainedSGNS.

    Every epoch subsamples the corpus afresh, builds its pairs with `make_pairs(ids, window, rng)` and visits
    them in a random order, `batch_size` at a time, each pair with `negatives` noise words drawn from `noise`.
    `loss_and_gradients(v_c, u_o, u_neg)` returns the summed loss of a batch and a dict of its gradients
    (dv_c, du_o, du_neg), which are scattered into the rows of W_in and W_out by `sgd_step`.
    The step size falls linearly from `learning_rate` towards zero over the whole run, as in word2vec.
    One generator, `np.random.default_rng(seed)`, drives everything, so a seed always gives the same vectors.
    """
    ids = np.asarray(ids, dtype=np.int64)
    vocab_size = len(noise)
    if not np.any(ids >= 0):
        raise ValueError("the corpus holds no words to train on")
    if len(keep_probability) != vocab_size:
        raise ValueError(f"keep_probability has {len(keep_probability)} entries but noise has {vocab_size}")
    if ids.max() >= vocab_size:
        raise ValueError(f"the corpus uses id {ids.max()} but the vocabulary has only {vocab_size} words")
    rng = np.random.default_rng(seed)
    W_in, W_out = initialize_embeddings(vocab_size, dim, rng, dtype)
    cumulative = np.cumsum(np.asarray(noise, dtype=np.float64))
    losses, pairs_per_epoch = [], []
    for epoch in range(epochs):
        centres, contexts = make_pairs(subsample(ids, np.asarray(keep_probability), rng), window, rng)
        n_pairs = len(centres)
        if n_pairs == 0:
            raise ValueError("subsampling left no pairs to train on: the corpus is too small")
        order = rng.permutation(n_pairs)
        pairs_per_epoch.append(n_pairs)
        starts = range(0, n_pairs, batch_size)
        for start in tqdm(starts, desc=f"epoch {epoch + 1}/{epochs}", unit="batch", disable=not progress,
                          mininterval=1.0):
            batch = order[start:start + batch_size]
            c, o = centres[batch], contexts[batch]
            neg = draw_negatives(cumulative, (len(batch), negatives), rng)
            loss, gradients = loss_and_gradients(W_in[c], W_out[o], W_out[neg])
            done = (epoch + start / n_pairs) / epochs
            sgd_step(W_in, W_out, c, o, neg, gradients, learning_rate * max(1.0 - done, 1e-4))
            losses.append(float(loss) / len(batch))
    return TrainedSGNS(W_in, W_out, np.array(losses), pairs_per_epoch, int(np.sum(ids >= 0)))


def smooth_curve(values, span=50):
    """A running mean of `values` over `span` points (shorter at the start), to make a noisy curve readable."""
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(values)
    sums[span:] = sums[span:] - sums[:-span]
    return sums / np.minimum(np.arange(1, len(values) + 1), span)


# --- Questions to the learned vectors -------------------------------------------------------------

def unit_rows(vectors):
    """The rows of `vectors` scaled to length 1 (rows of zeros stay zero), for cosine similarities."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def nearest_to_vector(vector, vectors, vocabulary, k=8, exclude=()):
    """The k words whose vectors are most cosine-similar to `vector`, as [(word, similarity)], skipping `exclude`."""
    norm = np.linalg.norm(vector)
    if norm == 0:
        raise ValueError("the zero vector has no direction, so it has no nearest words")
    similarities = unit_rows(vectors) @ (np.asarray(vector, dtype=np.float64) / norm)
    ranked = np.argsort(-similarities, kind="stable")
    return [(vocabulary.words[i], float(similarities[i])) for i in ranked
            if vocabulary.words[i] not in exclude][:k]


def nearest_neighbours(word, vectors, vocabulary, k=8):
    """The k nearest words to `word` by cosine similarity, as [(word, similarity)]; KeyError for an unknown word."""
    return nearest_to_vector(vectors[vocabulary.id_of(word)], vectors, vocabulary, k, exclude={word})


def analogy(word_a, word_b, word_c, vectors, vocabulary, k=5):
    """"a is to b as c is to ?" by 3CosAdd: the k words nearest to e_b - e_a + e_c (unit vectors), other than a, b, c."""
    unit = unit_rows(vectors)
    e_a, e_b, e_c = (unit[vocabulary.id_of(w)] for w in (word_a, word_b, word_c))
    return nearest_to_vector(e_b - e_a + e_c, vectors, vocabulary, k, exclude={word_a, word_b, word_c})


def pca_2d(vectors):
    """The coordinates of the rows of `vectors` on their first two principal components (np.linalg.svd)."""
    centred = np.asarray(vectors, dtype=np.float64) - np.mean(vectors, axis=0)
    U, S, _ = np.linalg.svd(centred, full_matrices=False)
    coordinates = U[:, :2] * S[:2]
    # An SVD's signs are arbitrary; fix them so the picture does not flip between machines.
    return coordinates * np.where(coordinates[np.argmax(np.abs(coordinates), axis=0), [0, 1]] < 0, -1, 1)
