"""Graded-cell tests for "word2vec from Scratch".

Every expected value here is worked out by hand from the formulas in the notebook (see the comments), and
the gradients are compared with finite differences of your own loss; nothing is copied from a solution.
"""
import numpy as np

from utils.testing import (GradedTestFailure, assert_close, assert_gradient, assert_keys, assert_raises_value_error,
                           assert_shape, assert_type, passed)

SEPARATOR = -1


def _hinted(hint, check, *args, **kwargs):
    """Run an assert_* check; if it fails, add the likely cause to its message."""
    try:
        check(*args, **kwargs)
    except GradedTestFailure as failure:
        raise GradedTestFailure(f"{failure}: {hint}") from None


def _pair_list(centres, contexts, name="the pairs"):
    """The pairs as a sorted list of (centre, context) tuples, after checking the two arrays fit together."""
    for array, what in ((centres, "centres"), (contexts, "contexts")):
        if not isinstance(array, np.ndarray) or array.ndim != 1:
            raise GradedTestFailure(f"{what} should be a 1-D numpy array, got {type(array).__name__} "
                                    f"of shape {np.shape(array)}")
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise GradedTestFailure(f"{what} should hold integer word ids, got dtype {array.dtype}")
    if len(centres) != len(contexts):
        raise GradedTestFailure(f"centres and contexts should have the same length, got {len(centres)} and "
                                f"{len(contexts)} ({name})")
    return sorted(zip(centres.tolist(), contexts.tolist()))


def subsample_keep_probability_test(target):
    # The counts add up to 10,000, so the frequencies are 0.64, 0.25, 0.09, 0.01, 0.01, and with t = 0.01
    # t/f = 1/64, 1/25, 1/9, 1, 1: keep = 1/8 + 1/64, 1/5 + 1/25, 1/3 + 1/9, min(1, 1 + 1), min(1, 1 + 1).
    counts = np.array([6400, 2500, 900, 100, 100])
    keep = target(counts, t=0.01)
    assert_type(keep, np.ndarray, "the keep probabilities")
    _hinted("f is each count divided by the SUM of the counts, and keep = min(1, sqrt(t / f) + t / f) with the t "
            "you are given", assert_close, keep, [1 / 8 + 1 / 64, 1 / 5 + 1 / 25, 1 / 3 + 1 / 9, 1.0, 1.0],
            "keep for counts [6400, 2500, 900, 100, 100] and t = 0.01", atol=1e-12)
    # Only the frequencies matter: the same proportions from other counts give the same result.
    assert_close(target(counts * 3, t=0.01), keep, "keep when every count is tripled (the frequencies are the same)",
                 atol=1e-12)
    # A tiny t thins out every word: keep is about sqrt(t / f).
    assert_close(target([1, 1, 2], t=1e-6), np.sqrt(1e-6 / np.array([0.25, 0.25, 0.5])) + 1e-6 / np.array([0.25, 0.25, 0.5]),
                 "keep for counts [1, 1, 2] and t = 1e-6", atol=1e-12)
    assert_close(target(np.array([5, 7]), t=1.0), [1.0, 1.0], "keep when t is larger than every frequency")
    if np.array_equal(target(counts), target(counts, t=0.01)):
        raise GradedTestFailure("subsample_keep_probability ignores its argument t")
    assert_raises_value_error(target, np.array([3, 0, 2]), mentions="positive")
    passed()


def skipgram_pairs_test(target):
    # "a b c d" as ids 10 11 12 13 with a fixed window of 1: each word pairs with its neighbours.
    # "a b c d" as ids 10 11 12 13 (so a pair's distance is the difference of its ids), first with a fixed window
    # of 2, then of 1: each word pairs with every word within the window, on both sides.
    ids = np.array([10, 11, 12, 13])
    window_1 = [(10, 11), (11, 10), (11, 12), (12, 11), (12, 13), (13, 12)]
    window_2 = window_1 + [(10, 12), (12, 10), (11, 13), (13, 11)]
    for window, expected in ((2, window_2), (1, window_1)):
        got = _pair_list(*target(ids, window), name=f"window {window}")
        if got != sorted(expected):
            raise GradedTestFailure(f"the pairs of ids [10, 11, 12, 13] with window={window} (no rng) should be "
                                    f"{sorted(expected)}, got {got}" + _diagnose(got, expected, window))
    # A window larger than the text: every ordered pair of different positions.
    got = _pair_list(*target(ids, 10), name="window 10")
    if len(got) != 12:
        raise GradedTestFailure(f"4 words with a window of 10 give 4 x 3 = 12 pairs, got {len(got)}: "
                                "did you go past the ends of the array?")
    # No pair crosses a separator, and the separator itself is never a word.
    got = _pair_list(*target(np.array([3, 1, SEPARATOR, 2, 5, 4]), 2), name="with a separator")
    expected = sorted([(3, 1), (1, 3), (2, 5), (5, 2), (2, 4), (4, 2), (5, 4), (4, 5)])
    if got != expected:
        raise GradedTestFailure(f"the pairs of [3, 1, -1, 2, 5, 4] with window=2 should be {expected} (nothing "
                                f"crosses the separator -1, which is not a word), got {got}")
    # Repeated words are paired by position, not by value.
    got = _pair_list(*target(np.array([7, 7, 7]), 1), name="repeated words")
    if got != [(7, 7)] * 4:
        raise GradedTestFailure(f"[7, 7, 7] with window=1 has 4 pairs (7, 7), one per pair of adjacent positions; "
                                f"got {got}")
    _check_random_windows(target)
    empty = _pair_list(*target(np.array([], dtype=np.int64), 3), name="an empty corpus")
    if empty:
        raise GradedTestFailure(f"an empty corpus has no pairs, got {empty}")
    assert_raises_value_error(target, ids, 0, mentions="window")
    passed()


def _diagnose(got, expected, window):
    """The likely cause of a difference in the pairs of consecutive ids (so |centre - context| is the distance)."""
    missing, extra = set(expected) - set(got), set(got) - set(expected)
    last = max(max(pair) for pair in expected)
    if any(c == o for c, o in got):
        return ": a word is never its own context (the distances start at 1)"
    if missing and all(last in pair for pair in missing):
        return ": the pairs with the last word are missing (left = 0..n-d-1 and right = d..n-1)"
    if missing and (all(c < o for c, o in missing) or all(c > o for c, o in missing)):
        side = "left" if all(c < o for c, o in missing) else "right"
        if all(abs(c - o) == window for c, o in missing):
            return (f": the pairs {window} apart with the {side} word as centre are missing (a centre uses the word "
                    f"d away when its reach >= d)")
        return (f": the pairs with the {side} word as centre are missing (two positions d apart give two pairs, "
                "each word as the centre of one)")
    if any(abs(c - o) == window for c, o in missing):
        return f": pairs {window} apart are missing (the distances go from 1 up to AND including window)"
    if extra:
        return f": unexpected pairs {sorted(extra)}"
    return ""


def _check_random_windows(target):
    """With a generator, every centre uses all the words within its own radius r in 1..window, and no others."""
    n, window = 4000, 4
    positions = np.arange(n)  # ids equal to positions, so a pair tells where its words are
    centres, contexts = target(positions, window, np.random.default_rng(5))
    _pair_list(centres, contexts, name="random windows")
    distance = np.abs(centres - contexts)
    if len(distance) == 0 or distance.min() < 1 or distance.max() > window:
        raise GradedTestFailure(f"with window={window} every pair should be 1 to {window} positions apart")
    radius = np.zeros(n, dtype=int)
    np.maximum.at(radius, centres, distance)
    counts = np.bincount(centres, minlength=n)
    # A centre away from the ends, with radius r, has exactly 2r contexts: all the words within r on each side.
    inner = np.arange(window, n - window)
    if np.any(counts[inner] != 2 * radius[inner]):
        i = inner[np.argmax(counts[inner] != 2 * radius[inner])]
        raise GradedTestFailure(f"the centre at position {i} has contexts up to {radius[i]} away but {counts[i]} pairs "
                                f"instead of {2 * radius[i]}: draw ONE window size per centre and use every word "
                                "within it, on both sides")
    shares = np.bincount(radius[inner], minlength=window + 1)[1:] / len(inner)
    if np.any(np.abs(shares - 1 / window) > 0.05):
        raise GradedTestFailure(f"the window sizes should be drawn uniformly from 1..{window} (rng.integers(1, "
                                f"window + 1)); their shares were {np.round(shares, 3).tolist()}")
    again = target(positions, window, np.random.default_rng(5))
    if not (np.array_equal(again[0], centres) and np.array_equal(again[1], contexts)):
        raise GradedTestFailure("the same generator seed should give the same pairs: draw from rng only")
    other = target(positions, window, np.random.default_rng(6))
    if len(other[0]) == len(centres) and np.array_equal(other[0], centres):
        raise GradedTestFailure("different seeds gave the same pairs: are the window sizes drawn from rng?")


def noise_distribution_test(target):
    # 16, 1 and 81 to the power 3/4 are 8, 1 and 27, which add up to 36.
    noise = target(np.array([16, 1, 81]))
    assert_type(noise, np.ndarray, "the noise distribution")
    _hinted("raise the counts to the power, then divide by the SUM of the powered counts", assert_close, noise,
            [8 / 36, 1 / 36, 27 / 36], "noise for counts [16, 1, 81] (power 0.75)", atol=1e-12)
    # Square roots: 4, 1, 9 out of 14. Power 1 is the unigram distribution, power 0 the uniform one.
    _hinted("use the argument power, not a fixed 0.75", assert_close, target(np.array([16, 1, 81]), power=0.5),
            [4 / 14, 1 / 14, 9 / 14], "noise with power=0.5", atol=1e-12)
    assert_close(target([3, 1]), np.array([3 ** 0.75, 1]) / (3 ** 0.75 + 1), "noise for the list [3, 1]", atol=1e-12)
    assert_close(target(np.array([16, 1, 81]), power=1), [16 / 98, 1 / 98, 81 / 98], "noise with power=1", atol=1e-12)
    assert_close(target(np.array([16, 1, 81]), power=0), [1 / 3] * 3, "noise with power=0", atol=1e-12)
    counts = np.array([2.0, 5.0, 1000.0, 3.0])  # float64, so np.asarray inside the function does not copy it
    assert_close(np.sum(target(counts)), 1.0, "the sum of the noise probabilities")
    _hinted("compute counts ** power as a new array instead of changing the caller's counts in place (**=)",
            assert_close, counts, [2, 5, 1000, 3], "the counts after noise_distribution (they must not change)")
    assert_raises_value_error(target, np.array([3, -1, 2]), mentions="positive")
    passed()


def _random_case(seed, m=3, K=4, n_e=5):
    rng = np.random.RandomState(seed)
    return rng.standard_normal((m, n_e)), rng.standard_normal((m, n_e)), rng.standard_normal((m, K, n_e))


def sgns_loss_and_gradients_test(target):
    ln3 = np.log(3.0)
    # One pair, K = 2 negatives, 2-D vectors. s_o = ln 3, so sigma(s_o) = 3/4; s_1 = -ln 3, so sigma(-s_1) = 3/4
    # too; s_2 = 0, so sigma(-s_2) = 1/2. Loss = -2 log(3/4) + log 2.
    v_c = np.array([[1.0, 0.0]])
    u_o = np.array([[ln3, 0.0]])
    u_neg = np.array([[[-ln3, 0.0], [0.0, 5.0]]])
    result = target(v_c, u_o, u_neg)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradedTestFailure("sgns_loss_and_gradients should return (loss, gradients)")
    loss, gradients = result
    assert_type(loss, float, "loss")
    _hinted("loss = -log sigma(s_o) - sum_k log sigma(-s_k), i.e. logaddexp(0, -s_o) + sum_k logaddexp(0, s_k)",
            assert_close, loss, 2 * np.log(4 / 3) + np.log(2), "the loss of the hand-made pair", atol=1e-12)
    assert_keys(gradients, ["dv_c", "du_o", "du_neg"], "gradients")
    # dv_c = (3/4 - 1) u_o + 1/4 u_1 + 1/2 u_2;  du_o = -1/4 v_c;  du_k = sigma(s_k) v_c with sigma(s_k) = 1/4, 1/2.
    _hinted("dv_c = (sigma(s_o) - 1) u_o + sum_k sigma(s_k) u_k: check both signs and that the noise words' term "
            "is there", assert_close, gradients["dv_c"], [[-ln3 / 2, 2.5]], "dv_c of the hand-made pair", atol=1e-12)
    _hinted("du_o = (sigma(s_o) - 1) v_c", assert_close, gradients["du_o"], [[-0.25, 0.0]],
            "du_o of the hand-made pair", atol=1e-12)
    _hinted("du_k = sigma(s_k) v_c, one row per noise word", assert_close, gradients["du_neg"],
            [[[0.25, 0.0], [0.5, 0.0]]], "du_neg of the hand-made pair", atol=1e-12)
    # All vectors zero: every score is 0 and every probability 1/2, so each of the m pairs costs (K + 1) log 2.
    zero_loss, zero_gradients = target(np.zeros((4, 3)), np.zeros((4, 3)), np.zeros((4, 6, 3)))
    assert_close(zero_loss, 4 * 7 * np.log(2), "the loss of 4 pairs with 6 negatives when every vector is zero")
    # A batch's loss is the sum of its pairs' losses, and its gradients are those of each pair.
    v_c, u_o, u_neg = _random_case(seed=1)
    loss, gradients = target(v_c, u_o, u_neg)
    for name, shape in (("dv_c", v_c.shape), ("du_o", u_o.shape), ("du_neg", u_neg.shape)):
        assert_shape(gradients[name], shape, name)
    single = [target(v_c[i:i + 1], u_o[i:i + 1], u_neg[i:i + 1]) for i in range(len(v_c))]
    assert_close(loss, sum(s[0] for s in single), "the loss of a batch (it should be the SUM over its pairs)")
    _hinted("each pair's gradient uses only its own vectors: sum over k, never over the batch axis m",
            assert_close, gradients["dv_c"][1], single[1][1]["dv_c"][0], "dv_c of pair 1 in a batch and alone")
    # Finite differences of your own loss.
    for name, array in (("v_c", v_c), ("u_o", u_o), ("u_neg", u_neg)):
        assert_gradient(gradients["d" + name], lambda: target(v_c, u_o, u_neg)[0], array, "d" + name)
    # Large scores must not overflow: -log sigma(900) is about 0 and -log sigma(-900) about 900.
    big = np.array([[30.0]])
    easy, _ = target(big, big, -big[:, None, :])
    hard, hard_gradients = target(big, -big, big[:, None, :])
    assert_close(easy, 0.0, "the loss when the model is very sure and right (scores +-900)", atol=1e-9)
    _hinted("compute -log sigma(x) as np.logaddexp(0, -x), which never overflows", assert_close, hard, 1800.0,
            "the loss when the model is very sure and wrong (scores +-900)", rtol=1e-9)
    # dv_c = (sigma(-900) - 1) (-30) + sigma(900) (30) = 30 + 30.
    assert_close(hard_gradients["dv_c"], [[60.0]], "dv_c when the model is very sure and wrong", atol=1e-9)
    assert_raises_value_error(target, v_c, u_o[:2], u_neg, mentions="u_o")
    assert_raises_value_error(target, v_c, u_o, u_neg[:, :, :2], mentions="u_neg")
    passed()
