"""Finite-difference gradient checking for the numpy backward passes."""
import numpy as np


def numerical_gradient(loss, array, eps=1e-6):
    """Central-difference gradient of the scalar `loss()` with respect to `array` (perturbed in place, then restored)."""
    if not (isinstance(array, np.ndarray) and np.issubdtype(array.dtype, np.floating)):
        raise ValueError("array must be a floating-point numpy array that loss() reads, so it can be perturbed")
    grad = np.zeros(array.shape)
    for index in np.ndindex(array.shape):  # indexing, not reshape(-1), so any memory layout works
        original = array[index]
        array[index] = original + eps
        plus = loss()
        array[index] = original - eps
        minus = loss()
        array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||): about 1e-7 or less means the backward pass is right; 0 when both are 0."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if denominator == 0 else float(np.linalg.norm(analytic - numeric) / denominator)
