"""Tests of the word2vec lab: the notebook's graded functions beyond the graded tests, utils/word2vec.py's text
handling, trainer and neighbour queries, and bad input."""
import numpy as np
import pytest

from utils.gradient_check import numerical_gradient, relative_error
from utils.notebook_tools import ROOT, load_definitions
from utils.word2vec import (SEPARATOR, Vocabulary, analogy, build_vocabulary, draw_negatives, encode,
                            nearest_neighbours, pca_2d, scatter_add, smooth_curve, subsample, tokenize,
                            tokenize_speeches, train_sgns, unit_rows)

NOTEBOOK = ROOT / "Week-2/W2_Lab_Word2Vec/Word2Vec_from_Scratch.ipynb"

# A tiny corpus in which "cat" and "dog" occur in exactly the same contexts, and so do "red" and "blue".
TINY = "\n\n".join(f"the {animal} saw a {colour} ball and the {animal} ran" for animal in ("cat", "dog")
                   for colour in ("red", "blue")) + "\n\n" + "\n\n".join(
    f"a {colour} sky over the {place}" for colour in ("red", "blue") for place in ("hill", "sea"))


@pytest.fixture(scope="module")
def lab():
    return load_definitions(NOTEBOOK)


def tiny_setup(lab, repeat=20):
    speeches = tokenize_speeches("\n\n".join([TINY] * repeat))
    vocabulary = build_vocabulary(speeches, min_count=1)
    ids = encode(speeches, vocabulary)
    keep = lab.subsample_keep_probability(vocabulary.counts, t=1.0)  # keep everything: a tiny corpus
    return vocabulary, ids, keep, lab.noise_distribution(vocabulary.counts)


def train_tiny(lab, seed=0, epochs=30, **kwargs):
    vocabulary, ids, keep, noise = tiny_setup(lab)
    return vocabulary, train_sgns(ids, lab.sgns_loss_and_gradients, lab.skipgram_pairs, keep, noise, dim=8,
                                  window=2, negatives=3, epochs=epochs, batch_size=32, learning_rate=0.05,
                                  seed=seed, progress=False, **kwargs)


# --- The graded functions -------------------------------------------------------------------------

@pytest.mark.parametrize("m, K, n_e", [(1, 1, 1), (4, 5, 3), (7, 2, 6)])
def test_sgns_gradients_match_finite_differences(lab, m, K, n_e):
    rng = np.random.RandomState(m * 100 + K)
    v_c, u_o, u_neg = rng.standard_normal((m, n_e)), rng.standard_normal((m, n_e)), rng.standard_normal((m, K, n_e))
    _, gradients = lab.sgns_loss_and_gradients(v_c, u_o, u_neg)
    for name, array in (("v_c", v_c), ("u_o", u_o), ("u_neg", u_neg)):
        numeric = numerical_gradient(lambda: lab.sgns_loss_and_gradients(v_c, u_o, u_neg)[0], array)
        assert relative_error(gradients["d" + name], numeric) < 1e-7, name


def test_sgns_loss_is_the_formula_pair_by_pair(lab):
    rng = np.random.RandomState(3)
    v_c, u_o, u_neg = rng.standard_normal((5, 4)), rng.standard_normal((5, 4)), rng.standard_normal((5, 3, 4))
    sigma = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    expected = sum(-np.log(sigma(u_o[i] @ v_c[i])) - sum(np.log(sigma(-u_neg[i, k] @ v_c[i])) for k in range(3))
                   for i in range(5))
    assert lab.sgns_loss_and_gradients(v_c, u_o, u_neg)[0] == pytest.approx(expected, rel=1e-12)


def test_sgns_keeps_float32_and_stays_finite_for_huge_scores(lab):
    v_c = np.full((2, 3), 40.0, dtype=np.float32)
    loss, gradients = lab.sgns_loss_and_gradients(v_c, -v_c, np.stack([v_c, -v_c], axis=1))
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in gradients.values())
    assert gradients["dv_c"].dtype == np.float32  # the trainer's float32 matrices are not silently doubled


def test_noise_distribution_sums_to_one_and_follows_the_power(lab):
    counts = np.random.RandomState(0).randint(1, 10_000, size=500)
    noise = lab.noise_distribution(counts)
    assert noise.sum() == pytest.approx(1.0, abs=1e-12)
    i, j = np.argmax(counts), np.argmin(counts)
    assert noise[i] / noise[j] == pytest.approx((counts[i] / counts[j]) ** 0.75, rel=1e-12)
    # Flatter than the unigram distribution: frequent words lose share, rare ones gain.
    unigram = counts / counts.sum()
    assert noise[i] < unigram[i] and noise[j] > unigram[j]


def test_subsampling_probabilities_are_probabilities_decreasing_with_frequency(lab):
    counts = np.array([50_000, 20_000, 5_000, 800, 100, 30, 5, 1])
    for t in (1e-5, 1e-4, 1e-3, 1e-2):
        keep = lab.subsample_keep_probability(counts, t)
        assert np.all((keep > 0) & (keep <= 1))
        assert np.all(np.diff(keep) >= 0)  # counts decrease along the array, so keep must not decrease
        assert keep[-1] == 1.0  # the rarest word is always kept
    assert np.all(lab.subsample_keep_probability(counts, 1e-5) <= lab.subsample_keep_probability(counts, 1e-3))


def test_pairs_respect_the_window_and_the_speeches(lab):
    rng = np.random.default_rng(0)
    ids = np.arange(3000)
    ids[rng.choice(3000, size=200, replace=False)] = SEPARATOR
    speech = np.cumsum(ids == SEPARATOR)
    for window in (1, 3, 6):
        for generator in (None, np.random.default_rng(window)):
            centres, contexts = lab.skipgram_pairs(ids, window, generator)
            assert np.all((centres >= 0) & (contexts >= 0))
            distance = np.abs(centres - contexts)  # ids are positions here
            assert distance.min() >= 1 and distance.max() <= window
            assert np.array_equal(speech[centres], speech[contexts])
        # With the full window, every pair of positions within the window and in one speech, both ways.
        n_full = sum(2 * np.sum((speech[:-d] == speech[d:]) & (ids[:-d] >= 0) & (ids[d:] >= 0))
                     for d in range(1, window + 1))
        assert len(lab.skipgram_pairs(ids, window)[0]) == n_full


def test_random_windows_weight_near_words_more(lab):
    window = 5
    centres, contexts = lab.skipgram_pairs(np.arange(50_000), window, np.random.default_rng(1))
    share = np.bincount(np.abs(centres - contexts), minlength=window + 1)[1:] / (2 * 50_000)
    np.testing.assert_allclose(share, [(window - d + 1) / window for d in range(1, window + 1)], atol=0.01)


@pytest.mark.parametrize("window", [0, -2, 1.5, "3"])
def test_a_bad_window_is_a_value_error(lab, window):
    with pytest.raises(ValueError, match="window"):
        lab.skipgram_pairs(np.arange(10), window)


def test_bad_counts_and_shapes_are_value_errors(lab):
    with pytest.raises(ValueError, match="positive"):
        lab.subsample_keep_probability(np.array([], dtype=float))
    with pytest.raises(ValueError, match="threshold"):
        lab.subsample_keep_probability(np.array([1, 2]), t=0)
    with pytest.raises(ValueError, match="positive"):
        lab.noise_distribution(np.array([1, 0, 2]))
    with pytest.raises(ValueError, match="u_neg"):
        lab.sgns_loss_and_gradients(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)))


# --- Text, vocabulary and ids ---------------------------------------------------------------------

def test_tokenize_keeps_inner_apostrophes_and_splits_the_rest():
    assert tokenize("O'er the hill, 'tis John's step-dame: I'll call'd-- 'twas fathers'!") == [
        "o'er", "the", "hill", "tis", "john's", "step", "dame", "i'll", "call'd", "twas", "fathers"]
    assert tokenize("") == [] and tokenize("-- ! ?") == []
    assert tokenize_speeches("A b.\n\n\n--\n\nc d\ne") == [["a", "b"], ["c", "d", "e"]]


def test_vocabulary_is_sorted_by_count_then_alphabetically():
    vocabulary = build_vocabulary([["b", "a", "c", "a"], ["c", "d", "a", "e", "e"]], min_count=2)
    assert vocabulary.words == ["a", "c", "e"]
    assert vocabulary.counts.tolist() == [3, 2, 2] and vocabulary.index == {"a": 0, "c": 1, "e": 2}


def test_encode_drops_unknown_words_and_separates_speeches():
    vocabulary = build_vocabulary([["a", "b"], ["b"]], min_count=1)
    ids = encode([["a", "zzz", "b"], ["zzz"], ["b", "a"], []], vocabulary)
    assert ids.tolist() == [1, 0, SEPARATOR, 0, 1]  # "b" (count 2) is id 0; no empty speech, no double separator
    assert ids.dtype == np.int64


def test_an_empty_corpus_is_a_clear_error(lab):
    with pytest.raises(ValueError, match="empty"):
        build_vocabulary([], min_count=1)
    with pytest.raises(ValueError, match="empty"):
        build_vocabulary(tokenize_speeches("rare words only"), min_count=2)
    with pytest.raises(ValueError, match="min_count"):
        build_vocabulary([["a"]], min_count=0)
    noise = lab.noise_distribution([1, 1])
    with pytest.raises(ValueError, match="no words"):
        train_sgns(np.array([], dtype=np.int64), lab.sgns_loss_and_gradients, lab.skipgram_pairs, np.ones(2), noise,
                   progress=False)
    with pytest.raises(ValueError, match="no pairs"):  # one word per speech: nothing to pair
        train_sgns(np.array([0, SEPARATOR, 1]), lab.sgns_loss_and_gradients, lab.skipgram_pairs, np.ones(2), noise,
                   progress=False)
    with pytest.raises(ValueError, match="vocabulary"):
        train_sgns(np.array([0, 5]), lab.sgns_loss_and_gradients, lab.skipgram_pairs, np.ones(2), noise,
                   progress=False)


def test_subsample_keeps_separators_and_follows_the_probabilities():
    rng = np.random.default_rng(0)
    ids = np.tile(np.array([0, 1, SEPARATOR, 2]), 20_000)
    kept = subsample(ids, np.array([1.0, 0.25, 0.0]), rng)
    assert np.sum(kept == SEPARATOR) == 20_000 and np.sum(kept == 0) == 20_000 and np.sum(kept == 2) == 0
    assert np.sum(kept == 1) / 20_000 == pytest.approx(0.25, abs=0.01)


# --- Training machinery ---------------------------------------------------------------------------

def test_draw_negatives_follows_the_distribution():
    noise = np.array([0.5, 0.1, 0.0, 0.4])
    draws = draw_negatives(np.cumsum(noise), (200_000,), np.random.default_rng(0))
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / len(draws), noise, atol=0.005)
    assert draws.min() >= 0 and draws.max() <= 3 and not np.any(draws == 2)


def test_scatter_add_adds_repeated_rows_like_np_add_at():
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((6, 4)).astype(np.float32)
    rows, updates = rng.integers(0, 6, size=50), rng.standard_normal((50, 4))
    expected = matrix.copy()
    np.add.at(expected, rows, updates.astype(np.float32))
    scatter_add(matrix, rows, updates)
    np.testing.assert_allclose(matrix, expected, rtol=1e-6, atol=1e-6)


def test_training_lowers_the_loss_and_learns_shared_contexts(lab):
    vocabulary, model = train_tiny(lab)
    assert model.losses[:10].mean() == pytest.approx(4 * np.log(2), abs=0.01)  # untrained: (K + 1) log 2
    assert model.losses[-20:].mean() < model.losses[:20].mean() - 0.8
    similarity = lambda a, b: unit_rows(model.W_in)[vocabulary.index[a]] @ unit_rows(model.W_in)[vocabulary.index[b]]  # noqa: E731
    assert similarity("cat", "dog") > similarity("cat", "sky") + 0.2
    assert similarity("red", "blue") > similarity("red", "ran") + 0.2
    assert len(model.pairs_per_epoch) == 30 and model.words_per_epoch == int(np.sum(tiny_setup(lab)[1] >= 0))


def test_training_is_reproducible_with_a_seed(lab):
    _, first = train_tiny(lab, seed=3, epochs=2)
    _, again = train_tiny(lab, seed=3, epochs=2)
    _, other = train_tiny(lab, seed=4, epochs=2)
    np.testing.assert_array_equal(first.W_in, again.W_in)
    np.testing.assert_array_equal(first.losses, again.losses)
    assert not np.array_equal(first.W_in, other.W_in)


def test_smooth_curve_is_a_running_mean():
    np.testing.assert_allclose(smooth_curve([1, 2, 3, 4, 5], span=2), [1, 1.5, 2.5, 3.5, 4.5])


# --- Questions to the vectors ----------------------------------------------------------------------

VECTORS = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0], [0.7, 0.7]])
WORDS = Vocabulary(["a", "b", "c", "d", "e"], {w: i for i, w in enumerate("abcde")}, np.array([5, 4, 3, 2, 1]))


def test_nearest_neighbours_ranks_by_cosine_and_excludes_the_word():
    neighbours = nearest_neighbours("a", VECTORS, WORDS, k=4)
    assert [w for w, _ in neighbours] == ["b", "e", "c", "d"]
    assert neighbours[0][1] == pytest.approx(0.9 / np.hypot(0.9, 0.1)) and neighbours[-1][1] == pytest.approx(-1)


def test_unknown_words_raise_key_error_naming_the_word():
    with pytest.raises(KeyError, match="florbix"):
        nearest_neighbours("florbix", VECTORS, WORDS)
    with pytest.raises(KeyError, match="florbix"):
        analogy("a", "florbix", "c", VECTORS, WORDS)


def test_analogy_adds_offsets_of_unit_vectors():
    names = ["man", "woman", "king", "queen", "prince", "girl"]
    words = Vocabulary(names, {w: i for i, w in enumerate(names)}, np.ones(6))
    vectors = np.array([[1.0, 0, 0], [2, 2, 0], [1, 0, 1], [1, 1, 1], [1, 0, 1.2], [1, 1.2, 0]])
    answers = analogy("man", "woman", "king", vectors, words, k=5)
    assert answers[0][0] == "queen"  # woman - man + king, with every vector scaled to length 1 first
    assert {w for w, _ in answers} == {"queen", "prince", "girl"}  # the three given words are never answers


def test_pca_2d_finds_the_directions_of_largest_variance():
    rng = np.random.default_rng(0)
    points = rng.standard_normal((200, 2)) * [5.0, 1.0]
    rotation = np.linalg.qr(rng.standard_normal((6, 6)))[0][:2]  # two orthonormal directions in 6-D
    xy = pca_2d(points @ rotation + 3.0)
    assert abs(np.corrcoef(xy[:, 0], points[:, 0])[0, 1]) > 0.999  # the long axis of the cloud
    assert np.var(xy[:, 0]) > np.var(xy[:, 1])
    np.testing.assert_array_equal(pca_2d(points @ rotation), pca_2d(points @ rotation))
