"""Graded-cell tests for "Embeddings and Positional Encoding". Expected values come from the formula, element by element."""
import math

import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_raises_value_error, assert_shape, passed


def _formula(positions, d, first=0, exponent=lambda j: 2 * (j // 2), base=10000, even=math.sin, odd=math.cos):
    """PE from the definition, one number at a time (the keyword arguments give the usual wrong variants)."""
    pe = np.zeros((positions, d))
    for p in range(positions):
        for j in range(d):
            angle = (p + first) / base ** (exponent(j) / d)
            pe[p, j] = even(angle) if j % 2 == 0 else odd(angle)
    return pe


# Mistakes with a known look, and what to tell the learner when an answer matches one of them.
_LIKELY_CAUSES = [
    (dict(even=math.cos, odd=math.sin), "sine and cosine are swapped: the even columns 0, 2, ... take the sine, "
                                        "the odd columns 1, 3, ... the cosine"),
    (dict(first=1), "the positions start at 1: they should be 0, 1, ..., positions - 1"),
    (dict(exponent=lambda j: j), "the exponent uses the column index j: both columns of pair i = j // 2 share "
                                 "the frequency 1 / 10000**(2i/d)"),
    (dict(exponent=lambda j: 2 * j), "the exponent uses 2j: use the pair index i = j // 2, 10000**(2i/d)"),
    (dict(exponent=lambda j: j // 2), "the exponent is i/d: it should be 2i/d"),
]


def _call(target, *args):
    """Call the learner's function on valid input; a ValueError there is a mistake the learner should see."""
    try:
        return target(*args)
    except ValueError as error:
        shown = ", ".join(f"an array of shape {np.shape(a)}" if np.ndim(a) else repr(a) for a in args)
        raise GradedTestFailure(f"{target.__name__}({shown}) raised ValueError ({error}), but these arguments "
                                "are valid: check the conditions of your input check (< or <=?)") from None


def _check_encoding(pe, positions, d, atol=1e-6):
    call = f"positional_encoding({positions}, {d})"
    assert_shape(pe, (1, positions, d), f"{call} (one batch axis in front, then positions, then d)")
    got = np.asarray(pe, dtype=float)[0]
    expected = _formula(positions, d)
    if np.allclose(got, expected, atol=atol):
        return
    for variant, cause in _LIKELY_CAUSES:
        if np.allclose(got, _formula(positions, d, **variant), atol=atol):
            raise GradedTestFailure(f"{call} has wrong values: {cause}")
    assert_close(got, expected, f"{call} (check the angle p / 10000**(2i/d): the base 10000, the division, "
                 "and d, not the number of positions, in the exponent)", atol=atol)


def positional_encoding_test(target):
    pe = target(5, 6)
    assert_shape(pe, (1, 5, 6), "positional_encoding(5, 6) (one batch axis in front, then positions, then d)")
    if np.asarray(pe).dtype != np.float32:
        raise GradedTestFailure(f"positional_encoding should return float32 values, got {np.asarray(pe).dtype}: "
                                "cast the result with .astype(np.float32)")
    _check_encoding(pe, 5, 6)
    assert_close(pe[0, 0], [0, 1, 0, 1, 0, 1], "the encoding of position 0 (sin 0 = 0, cos 0 = 1)", atol=1e-6)
    # Even and odd columns of pair i share one frequency: 10000**(2i/d), not 10000**(j/d).
    _check_encoding(target(3, 4), 3, 4)
    # Many positions and dimensions: the slow pairs and the positions far from 0 count too (an answer computed
    # in float32 is off by a few 1e-6 at position 49, hence the wider tolerance).
    _check_encoding(target(50, 16), 50, 16, atol=5e-5)
    odd = target(4, 5)
    assert_shape(odd, (1, 4, 5), "positional_encoding(4, 5) (odd d)")
    _check_encoding(odd, 4, 5)
    long = np.asarray(target(200, 16), dtype=float)[0]
    assert_close(np.linalg.norm(long, axis=1), np.full(200, math.sqrt(8)),
                 "the norms of positional_encoding(200, 16) (each should be sqrt(d/2))", atol=1e-4)
    passed()


def _dots(table, max_distance):
    return np.array([[table[p] @ table[p + k] for k in range(max_distance + 1)]
                     for p in range(len(table) - max_distance)])


def _check_dots(dots, table, max_distance, call):
    positions = len(table)
    assert_shape(dots, (positions - max_distance, max_distance + 1),
                 f"{call} (one row per start position p = 0 .. positions - max_distance - 1, "
                 "one column per distance k = 0 .. max_distance)")
    got, expected = np.asarray(dots, dtype=float), _dots(table, max_distance)
    if np.allclose(got, expected, atol=1e-7, rtol=1e-7):
        return
    norms = np.linalg.norm(table, axis=1)
    cosine = expected / np.array([[norms[p] * norms[p + k] for k in range(max_distance + 1)]
                                  for p in range(positions - max_distance)])
    if np.allclose(got, cosine, atol=1e-7):
        raise GradedTestFailure(f"{call} divides by the norms (a cosine similarity): the lab asks for the plain "
                                "dot products pe[p] . pe[p + k]")
    if np.allclose(got, expected / table.shape[1], atol=1e-7):
        raise GradedTestFailure(f"{call} is the dot product divided by d: sum the products over the dimensions, "
                                "do not average them")
    assert_close(got, expected, f"{call} (dots[p, k] = pe[p] . pe[p + k]: row p, and the row k places after it)",
                 atol=1e-7, rtol=1e-7)


def pe_dot_by_distance_test(target):
    pe = _formula(10, 6)
    dots = _call(target, pe, 3)
    _check_dots(dots, pe, 3, "pe_dot_by_distance(pe of 10 positions, max_distance=3)")
    assert_close(dots[:, 0], np.full(7, 3.0), "dots[:, 0] (an encoding with itself gives d/2)", atol=1e-6)
    # Works for any table, not only positional encodings: rows of unequal norms show a normalisation.
    table = np.arange(12, dtype=float).reshape(4, 3)
    _check_dots(_call(target, table, 1), table, 1, "pe_dot_by_distance(np.arange(12).reshape(4, 3), 1)")
    _check_dots(_call(target, table, 0), table, 0, "pe_dot_by_distance(table, 0) (max_distance = 0 is allowed)")
    _check_dots(_call(target, table, 3), table, 3, "pe_dot_by_distance(table, 3) (one start position)")
    rows = np.random.RandomState(7).randn(9, 5)
    _check_dots(_call(target, rows, 4), rows, 4, "pe_dot_by_distance(a random table of 9 rows, 4)")
    assert_raises_value_error(target, table, 4, mentions="max_distance")
    assert_raises_value_error(target, table, -1, mentions="max_distance")
    passed()
