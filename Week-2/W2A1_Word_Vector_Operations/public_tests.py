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


def _hinted(hint, check, *args, **kwargs):
    """Run an assert_* check; if it fails, add the likely cause to its message."""
    try:
        check(*args, **kwargs)
    except GradedTestFailure as failure:
        raise GradedTestFailure(f"{failure}: {hint}") from None


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
             ([1, 2], [0, 0], 0.0, "a vector and a zero vector"),
             ([0, 0], [0, 0], 1.0, "two zero vectors (identical)"),
             ([0.3, -0.2, 5.0], [0.3, -0.2, 5.0], 1.0, "identical vectors")]
    for u, v, expected, what in cases:
        result = target(np.array(u, dtype=float), np.array(v, dtype=float))
        assert_type(result, float, f"cosine_similarity of {what}")
        _hinted("the cosine is u . v / (||u|| ||v||), with ||u|| = sqrt(sum of u ** 2); one vector of zeros gives "
                "0.0 (whichever argument it is)", assert_close, result, expected, f"cosine_similarity of {what}",
                atol=1e-9)
    # Lengths 3 and 5, neither parallel nor perpendicular: u . v = 14, so the cosine is 14 / (3 * 5).
    u, v = np.array([1.0, 2.0, 2.0]), np.array([0.0, 3.0, 4.0])
    for first, second, order in ((u, v, "u, v"), (v, u, "v, u")):
        result = target(first, second)
        if not np.isclose(result, 14 / 15, atol=1e-9):
            raise GradedTestFailure(
                f"cosine_similarity({order}) for u = [1, 2, 2] (length 3) and v = [0, 3, 4] (length 5) should be "
                f"14 / (3 x 5) = {14 / 15:.6f}, got {result:.6f}: divide the dot product by the product of BOTH "
                "lengths, ||u|| and ||v||, each the square root of its own sum of squares")
    _expect_value_error(target, np.ones(3), np.ones(4), mentions="same shape")
    passed()


def complete_analogy_test(target):
    answer = target("a", "b", "c", SQUARE)
    if answer != "d":
        raise GradedTestFailure(f"a:b :: c:? on the square should be 'd' (the offset b - a = [1, 0] added to c), got "
                                f"{answer!r}: score each word w by cosine_similarity(e_b - e_a, e_w - e_c) and keep "
                                "the LARGEST score")
    if target("A", "b", "C", SQUARE) != "d":
        raise GradedTestFailure("input words should be lower-cased before the look-up")
    # Here the best offset would be the input word "b" itself; it must be skipped.
    near_b = {"x": np.array([0.0, 0.0]), "b": np.array([1.0, 0.0]), "y": np.array([2.0, 0.0]),
              "z": np.array([1.0, 0.4])}
    answer = target("x", "b", "x", near_b)
    if answer in ("x", "b"):
        raise GradedTestFailure(f"complete_analogy returned the input word {answer!r}; the three given words "
                                "must be skipped")
    # Every candidate's offset points away from b - a = [1, 0]: the best is still the least bad one ("q", cosine
    # -0.45, against -1 for "p"), not None.
    backwards = {"a": np.array([0.0, 0.0]), "b": np.array([1.0, 0.0]), "c": np.array([5.0, 5.0]),
                 "p": np.array([4.0, 5.0]), "q": np.array([4.5, 4.0])}
    answer = target("a", "b", "c", backwards)
    if answer != "q":
        raise GradedTestFailure(f"when every candidate has a negative cosine the answer is the largest of them ('q', "
                                f"-0.45), got {answer!r}: start the running maximum at -np.inf, not at 0")
    _expect_key_error(target, "a", "b", "unicorn", SQUARE, word="unicorn")
    passed()


def complete_analogy_fast_test(target):
    square = Embeddings.from_map(SQUARE)
    answer = target("a", "b", "c", square)
    if answer != "d":
        raise GradedTestFailure(f"a:b :: c:? on the square should be 'd', got {answer!r}: check d = e_b - e_a, that "
                                "the score divides (e_w - e_c) . d by ||e_w - e_c|| (a square root), and np.argmax")
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
            raise GradedTestFailure("{} -> {} :: {} -> ? should be {!r}, got {!r}: check the numerator "
                                    "e_w . d - e_c . d and the squared distance ||e_w||^2 - 2 e_w . e_c + ||e_c||^2"
                                    .format(*triad, expected, answer))
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
    _hinted("centre each pair on its OWN mean, then take the first ROW of Vt (np.linalg.svd)", assert_close,
            np.abs(g), axis, "g (up to its sign) for pairs that differ along [0, 0, 1]", atol=0.01)
    orient = "flip g when g . (e_first - e_second) < 0 for the first pair"
    _hinted(orient, assert_close, g, axis, "g for pairs that differ along [0, 0, 1]", atol=0.01)
    g_reversed = target([(m, f) for f, m in pairs], vectors)
    _hinted(orient, assert_close, g_reversed, -axis, "g when every pair is given the other way round", atol=0.01)
    # Pairs may come in either order; the FIRST pair alone decides which way g points.
    mixed = [pairs[0]] + [(m, f) for f, m in pairs[1:]]
    g_mixed = target(mixed, vectors)
    if not np.isclose(g_mixed @ axis, 1.0, atol=0.01):
        raise GradedTestFailure(f"g for pairs whose first pair is (f0, m0) and the others (m, f) should be [0, 0, 1] "
                                f"(pointing from the second word of the FIRST pair towards its first word), got "
                                f"{np.round(g_mixed, 3)}")
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
        _hinted("subtract the projection (e . g) / ||g||^2 * g (g here is not of length 1)", assert_close,
                debiased @ g / (np.linalg.norm(debiased) * np.linalg.norm(g)), 0.0,
                f"cosine of neutralize({word!r}) with g", atol=1e-6)
        removed = e - debiased
        assert_close(abs(removed @ g) / (np.linalg.norm(removed) * np.linalg.norm(g)), 1.0,
                     f"what neutralize removed from {word!r} (it should be parallel to g)", atol=1e-6)
    # The map's own vectors must not change (here they are float64, so np.asarray does not copy them).
    own = {"p": np.array([1.0, 2.0, 3.0]), "q": np.array([0.5, -1.0, 2.0])}
    debiased = target("p", np.array([0.0, 2.0, 0.0]), own)
    assert_close(debiased, [1.0, 0.0, 3.0], "neutralize('p') with g = [0, 2, 0] for p = [1, 2, 3]")
    if not np.array_equal(own["p"], [1.0, 2.0, 3.0]):
        raise GradedTestFailure(f"neutralize changed the vector in word_to_vec_map (now {own['p']}): compute "
                                "e - e_biascomponent as a new array instead of subtracting in place (-=)")
    _expect_key_error(target, "unicornish", g, word_to_vec_map, word="unicornish")
    _expect_value_error(target, "tree", np.zeros(50), word_to_vec_map, mentions="zero vector")
    passed()


def equalize_test(target):
    _, word_to_vec_map = read_glove_vecs()
    g = word_to_vec_map["woman"] - word_to_vec_map["man"]
    for w1, w2 in [("actress", "actor"), ("grandmother", "grandfather")]:
        e1, e2 = target((w1, w2), g, word_to_vec_map)
        hint = ("check that mu_orth = mu - mu_B, that every projection divides by ||g||^2 (g here is not of length 1), "
                "the scale sqrt(1 - ||mu_orth||^2), and the division by ||e_w1B - mu_B||")
        _hinted(hint, assert_close, np.linalg.norm(e1), 1.0, f"the length of e1 for ({w1}, {w2})")
        _hinted(hint, assert_close, np.linalg.norm(e2), 1.0, f"the length of e2 for ({w1}, {w2})")
        _hinted("e1 uses e_w1B - mu_B and e2 uses e_w2B - mu_B", assert_close, e1 @ g, -(e2 @ g),
                f"e1 . g and -(e2 . g) for ({w1}, {w2}) (opposite along g)")
        neutral_1, neutral_2 = e1 - (e1 @ g) / (g @ g) * g, e2 - (e2 @ g) / (g @ g) * g
        assert_close(neutral_1, neutral_2, f"the neutral parts of e1 and e2 for ({w1}, {w2}) (they must be equal)")
        u1, u2 = (word_to_vec_map[w] / np.linalg.norm(word_to_vec_map[w]) for w in (w1, w2))
        if np.sign(e1 @ g) != np.sign((u1 - u2) @ g):
            raise GradedTestFailure(f"e1 should stay on {w1!r}'s side of the neutral subspace: e1 is built from "
                                    "e_w1B - mu_B, e2 from e_w2B - mu_B")
    same = {"p": np.array([1.0, 2.0, 0.5]), "q": np.array([2.0, 1.0, 0.5])}
    _expect_value_error(target, ("p", "q"), np.array([0.0, 0.0, 1.0]), same, mentions="do not differ")
    passed()
