"""Graded-cell tests for "Embeddings and Positional Encoding". Expected values come from the formula, element by element."""
import math

import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_raises_value_error, assert_shape, passed


def _formula(positions, d):
    """PE from the definition, one number at a time."""
    pe = np.zeros((positions, d))
    for p in range(positions):
        for j in range(d):
            angle = p / 10000 ** (2 * (j // 2) / d)
            pe[p, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe


def positional_encoding_test(target):
    pe = target(5, 6)
    assert_shape(pe, (1, 5, 6), "positional_encoding(5, 6)")
    if np.asarray(pe).dtype != np.float32:
        raise GradedTestFailure(f"positional_encoding should return float32 values, got {np.asarray(pe).dtype}")
    assert_close(pe[0, 0], [0, 1, 0, 1, 0, 1], "the encoding of position 0 (sin 0 = 0, cos 0 = 1)", atol=1e-6)
    assert_close(pe[0, :, 0], np.sin(np.arange(5)), "column 0 (sin(p), the fastest pair)", atol=1e-6)
    assert_close(pe[0, :, 1], np.cos(np.arange(5)), "column 1 (cos(p), the partner of column 0)", atol=1e-6)
    assert_close(pe[0], _formula(5, 6), "positional_encoding(5, 6)", atol=1e-6)
    # Even and odd columns of pair i share one frequency: 10000**(2i/d), not 10000**(j/d).
    assert_close(target(3, 4)[0], _formula(3, 4), "positional_encoding(3, 4) (both columns of a pair share "
                 "the frequency 1 / 10000**(2i/d))", atol=1e-6)
    odd = target(4, 5)
    assert_shape(odd, (1, 4, 5), "positional_encoding(4, 5) (odd d)")
    assert_close(odd[0], _formula(4, 5), "positional_encoding(4, 5) (odd d: the last column is a sine)", atol=1e-6)
    long = target(200, 16)[0]
    assert_close(np.linalg.norm(long, axis=1), np.full(200, math.sqrt(8)),
                 "the norms of positional_encoding(200, 16) (each should be sqrt(d/2))", atol=1e-4)
    passed()


def pe_dot_by_distance_test(target):
    pe = _formula(10, 6)
    dots = target(pe, 3)
    assert_shape(dots, (7, 4), "pe_dot_by_distance(pe of 10 positions, max_distance=3)")
    expected = np.array([[pe[p] @ pe[p + k] for k in range(4)] for p in range(7)])
    assert_close(dots, expected, "pe_dot_by_distance(pe, 3) (dots[p, k] = pe[p] . pe[p + k])", atol=1e-6)
    assert_close(dots[:, 0], np.full(7, 3.0), "dots[:, 0] (an encoding with itself gives d/2)", atol=1e-6)
    # Works for any table, not only positional encodings.
    table = np.arange(12, dtype=float).reshape(4, 3)
    assert_close(target(table, 1), [[5, 14], [50, 86], [149, 212]],
                 "pe_dot_by_distance(np.arange(12).reshape(4, 3), 1)", atol=1e-9)
    assert_close(target(table, 0), [[5], [50], [149], [302]], "pe_dot_by_distance(table, 0)", atol=1e-9)
    assert_close(target(table, 3), [[5, 14, 23, 32]], "pe_dot_by_distance(table, 3) (one start position)", atol=1e-9)
    assert_raises_value_error(target, table, 4, mentions="max_distance")
    assert_raises_value_error(target, table, -1, mentions="max_distance")
    passed()
