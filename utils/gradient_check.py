"""Finite-difference gradient checking for the numpy backward passes."""
import numpy as np


def numerical_gradient(loss, array, eps=1e-6):
    """Central-difference gradient of the scalar `loss()` with respect to `array` (perturbed in place, then restored)."""
    grad = np.zeros_like(array, dtype=float)
    flat, flat_grad = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = loss()
        flat[i] = original - eps
        minus = loss()
        flat[i] = original
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||): about 1e-7 or less means the backward pass is right; 0 when both are 0."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if denominator == 0 else float(np.linalg.norm(analytic - numeric) / denominator)
