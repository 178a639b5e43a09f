"""Graded-cell tests for "Operations on Word Vectors, and Debiasing".

Small hand-made vocabularies with known answers, plus properties the results must have.
"""
import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_type, passed
from utils.w2v_utils import Embeddings, glove_embeddings, read_glove_vecs

# Four corners of a square, plus distractors: "a is to b as c is to ?" has the answer "d".
SQUARE = {"a": [0.0, 0.0], "b": [1.0, 0.0], "c": [0.0, 1.0], "d": [1.0, 1.0], "e": [0.4, 1.2],
          "f": [-1.0, 0.2], "g": [2.0, 0.05]}
SQUARE = {w: np.array(v) for w, v in SQUARE.items()}


def _expect_key_error(function, *args, word):
    try:
        function(*args)
    except KeyError as error:
        if word not in str(error):
            raise GradedTestFailure(f"the KeyError should name the unknown word {word!r}; it says {error}") from None
        return
    raise GradedTestFailure(f"an unknown word ({word!r}) should raise KeyError")


def _expect_value_error(function, *args, mentions):
    try:
        function(*args)
    except ValueError as error:
        if mentions not in str(error):
            raise GradedTestFailure(f"the ValueError should mention {mentions!r}; it says {error}") from None
        return
    raise GradedTestFailure(f"{function.__name__} should raise ValueError ({mentions})")


def cosine_similarity_test(target):
    cases = [([1, 2, 2], [2, 1, -2], 0.0, "perpendicular vectors"),
             ([3, 4], [4, 3], 24 / 25, "[3, 4] and [4, 3]"),
             ([1, 2], [2, 4], 1.0, "parallel vectors of different lengths"),
             ([1, -2], [-3, 6], -1.0, "opposite vectors"),
             ([0, 0], [1, 2], 0.0, "a zero vector and another vector"),
             ([0, 0], [0, 0], 1.0, "two zero vectors (identical)"),
             ([0.3, -0.2, 5.0], [0.3, -0.2, 5.0], 1.0, "identical vectors")]
    for u, v, expected, what in cases:
        result = target(np.array(u, dtype=float), np.array(v, dtype=float))
        assert_type(result, float, f"cosine_similarity of {what}")
        assert_close(result, expected, f"cosine_similarity of {what}", atol=1e-9)
    _expect_value_error(target, np.ones(3), np.ones(4), mentions="same shape")
    passed()


def complete_analogy_test(target):
    if target("a", "b", "c", SQUARE) != "d":
        raise GradedTestFailure("a:b :: c:? on the square should be 'd' (the offset b - a = [1, 0] added to c)")
    if target("A", "b", "C", SQUARE) != "d":
        raise GradedTestFailure("input words should be lower-cased before the look-up")
    # Here the best offset would be the input word "b" itself; it must be skipped.
    near_b = {"x": np.array([0.0, 0.0]), "b": np.array([1.0, 0.0]), "y": np.array([2.0, 0.0]),
              "z": np.array([1.0, 0.4])}
    answer = target("x", "b", "x", near_b)
    if answer in ("x", "b"):
        raise GradedTestFailure(f"complete_analogy returned the input word {answer!r}; the three given words "
                                "must be skipped")
    _expect_key_error(target, "a", "b", "unicorn", SQUARE, word="unicorn")
    passed()


def complete_analogy_fast_test(target):
    square = Embeddings.from_map(SQUARE)
    if target("a", "b", "c", square) != "d":
        raise GradedTestFailure("a:b :: c:? on the square should be 'd'")
    near_b = Embeddings.from_map({"x": np.array([0.0, 0.0]), "b": np.array([1.0, 0.0]), "y": np.array([2.0, 0.0]),
                                  "z": np.array([1.0, 0.4])})
    if target("x", "b", "x", near_b) in ("x", "b"):
        raise GradedTestFailure("the three given words must get a score of -inf so they are never returned")
    # Answers of the word-by-word version on GloVe (tests/ checks both versions agree on many more).
    glove = glove_embeddings()
    for triad, expected in [(("italy", "italian", "spain"), "spanish"), (("india", "delhi", "japan"), "tokyo"),
                            (("small", "smaller", "large"), "larger")]:
        answer = target(*triad, glove)
        if answer != expected:
            raise GradedTestFailure("{} -> {} :: {} -> ? should be {!r}, got {!r}".format(*triad, expected, answer))
    _expect_key_error(target, "a", "b", "unicorn", square, word="unicorn")
    passed()


def bias_direction_test(target):
    rng = np.random.RandomState(0)
    axis = np.array([0.0, 0.0, 1.0])
    vectors, pairs = {}, []
    for i in range(6):  # pairs that differ (mostly) along the third axis
        centre = rng.standard_normal(3) * 3
        spread = 1 + rng.rand()
        vectors[f"f{i}"] = centre + spread * axis + rng.standard_normal(3) * 0.01
        vectors[f"m{i}"] = centre - spread * axis + rng.standard_normal(3) * 0.01
        pairs.append((f"f{i}", f"m{i}"))
    g = target(pairs, vectors)
    assert_close(np.linalg.norm(g), 1.0, "the length of g")
    assert_close(g, axis, "g for pairs that differ along [0, 0, 1]", atol=0.01)
    g_reversed = target([(m, f) for f, m in pairs], vectors)
    assert_close(g_reversed, -axis, "g when every pair is given the other way round", atol=0.01)
    one = {"p": np.array([1.0, 2.0, 3.0]), "q": np.array([1.0, 0.0, 3.0])}
    assert_close(target([("p", "q")], one), [0.0, 1.0, 0.0], "g for a single pair: the unit vector from q to p")
    _expect_value_error(target, [], vectors, mentions="at least one pair")
    _expect_key_error(target, [("f0", "unicorn")], vectors, word="unicorn")
    passed()


def neutralize_test(target):
    _, word_to_vec_map = read_glove_vecs()
    g = word_to_vec_map["woman"] - word_to_vec_map["man"]  # deliberately not of length 1
    for word in ("receptionist", "engineer", "tree"):
        e = np.asarray(word_to_vec_map[word], dtype=np.float64)
        debiased = target(word, g, word_to_vec_map)
        assert_close(debiased @ g / (np.linalg.norm(debiased) * np.linalg.norm(g)), 0.0,
                     f"cosine of neutralize({word!r}) with g", atol=1e-6)
        removed = e - debiased
        assert_close(abs(removed @ g) / (np.linalg.norm(removed) * np.linalg.norm(g)), 1.0,
                     f"what neutralize removed from {word!r} (it should be parallel to g)", atol=1e-6)
    _expect_key_error(target, "unicornish", g, word_to_vec_map, word="unicornish")
    _expect_value_error(target, "tree", np.zeros(50), word_to_vec_map, mentions="zero vector")
    passed()


def equalize_test(target):
    _, word_to_vec_map = read_glove_vecs()
    g = word_to_vec_map["woman"] - word_to_vec_map["man"]
    for w1, w2 in [("actress", "actor"), ("grandmother", "grandfather")]:
        e1, e2 = target((w1, w2), g, word_to_vec_map)
        assert_close(np.linalg.norm(e1), 1.0, f"the length of e1 for ({w1}, {w2})")
        assert_close(np.linalg.norm(e2), 1.0, f"the length of e2 for ({w1}, {w2})")
        assert_close(e1 @ g, -(e2 @ g), f"e1 . g and -(e2 . g) for ({w1}, {w2}) (opposite along g)")
        neutral_1, neutral_2 = e1 - (e1 @ g) / (g @ g) * g, e2 - (e2 @ g) / (g @ g) * g
        assert_close(neutral_1, neutral_2, f"the neutral parts of e1 and e2 for ({w1}, {w2}) (they must be equal)")
        u1, u2 = (word_to_vec_map[w] / np.linalg.norm(word_to_vec_map[w]) for w in (w1, w2))
        if np.sign(e1 @ g) != np.sign((u1 - u2) @ g):
            raise GradedTestFailure(f"e1 should stay on {w1!r}'s side of the neutral subspace")
    same = {"p": np.array([1.0, 2.0, 0.5]), "q": np.array([2.0, 1.0, 0.5])}
    _expect_value_error(target, ("p", "q"), np.array([0.0, 0.0, 1.0]), same, mentions="do not differ")
    passed()
