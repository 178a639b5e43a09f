"""Helpers for graded-cell tests: checks that fail with messages a learner can act on.

Numeric checks (`assert_shape`, `assert_close`, `assert_raises_value_error`) and a
Keras 3 model summary (`summarize_model`, `compare_model`) for the Keras assignments.
"""
import numpy as np


class GradedTestFailure(AssertionError):
    """A graded test failed; the message says what was expected and what was found."""

    def _render_traceback_(self):
        """How Jupyter shows it: the message first, and no frames of test helpers (IPython's hook)."""
        return [f"\033[91mGradedTestFailure: {self}\033[0m",
                "The test stopped at the first difference it found: fix it, run your cell again, then this one."]


def assert_type(value, expected_type, name):
    """Fail unless `value` is an instance of `expected_type`."""
    if not isinstance(value, expected_type):
        raise GradedTestFailure(
            f"{name} should be a {getattr(expected_type, '__name__', expected_type)}, got {type(value).__name__}")


def assert_shape(value, expected_shape, name):
    """Fail unless `value` is an array (or array-like) of `expected_shape`."""
    if value is None:
        raise GradedTestFailure(f"{name} is None: did you forget to compute or return it?")
    shape = np.shape(value)
    if shape != tuple(expected_shape):
        raise GradedTestFailure(f"{name} has shape {shape}, expected {tuple(expected_shape)}")


def assert_close(actual, expected, name, atol=1e-6, rtol=1e-6):
    """Fail unless `actual` matches `expected` in shape and, element by element, within the tolerances."""
    expected = np.asarray(expected, dtype=float)
    assert_shape(actual, expected.shape, name)
    actual = np.asarray(actual, dtype=float)
    if not np.all(np.isfinite(actual)):
        raise GradedTestFailure(f"{name} contains NaN or infinite values")
    close = np.isclose(actual, expected, atol=atol, rtol=rtol)
    if not close.all():
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        raise GradedTestFailure(
            f"{name} has wrong values: {int((~close).sum())} of {close.size} differ; "
            f"first at index {index}: got {actual[index]:.6g}, expected {expected[index]:.6g}")


def assert_keys(value, expected_keys, name):
    """Fail unless the dict `value` has exactly `expected_keys`."""
    assert_type(value, dict, name)
    missing, extra = set(expected_keys) - set(value), set(value) - set(expected_keys)
    if missing or extra:
        raise GradedTestFailure(f"{name} should have keys {sorted(expected_keys)}; "
                                f"missing {sorted(missing)}, unexpected {sorted(extra)}")


def assert_raises_value_error(function, *args, mentions, **kwargs):
    """Fail unless `function(*args, **kwargs)` raises ValueError whose message contains `mentions`."""
    try:
        function(*args, **kwargs)
    except ValueError as error:
        if mentions not in str(error):
            raise GradedTestFailure(f"the ValueError should name {mentions!r}; its message was: {error}") from None
        return
    raise GradedTestFailure(f"{function.__name__} should raise ValueError for bad input ({mentions}), but it did not")


def passed():
    """Print the line a learner looks for under each graded cell."""
    print("\033[92mAll tests passed\033[0m")


# --- Keras model summaries ---------------------------------------------------------------
# Keras 3 layers have no `output_shape`; a layer's symbolic output (functional models) has.

def _output_shape(layer):
    try:
        output = layer.output
    except (AttributeError, ValueError):  # a layer never called on a symbolic input
        return None
    if isinstance(output, (list, tuple)):
        return [tuple(o.shape) for o in output]
    return tuple(output.shape)


def _key_config(layer):
    config = layer.get_config()
    keys = ("units", "activation", "recurrent_activation", "return_sequences", "return_state",
            "rate", "stddev", "input_dim", "output_dim", "trainable", "num_heads", "key_dim", "axes", "n")
    return {k: config[k] for k in keys if k in config}


def summarize_model(model):
    """One row per layer: [class name, output shape, parameter count, key config]."""
    return [[type(layer).__name__, _output_shape(layer), layer.count_params(), _key_config(layer)]
            for layer in model.layers]


def compare_model(model, expected):
    """Fail, naming the first differing layer and field, unless `summarize_model(model)` matches `expected`.

    In an expected row, the output shape and the config may be None to skip that field,
    and a config lists only the keys worth checking.
    """
    actual = summarize_model(model)
    if len(actual) != len(expected):
        raise GradedTestFailure(f"the model has {len(actual)} layers, expected {len(expected)}: "
                                f"{[row[0] for row in actual]} vs {[row[0] for row in expected]}")
    fields = ("layer class", "output shape", "parameter count")
    for i, (got, want) in enumerate(zip(actual, expected)):
        for field, g, w in zip(fields, got, want):
            if w is not None and g != w:
                raise GradedTestFailure(f"layer {i} ({got[0]}): {field} is {g}, expected {w}")
        for key, value in (want[3] if len(want) > 3 and want[3] else {}).items():
            if got[3].get(key) != value:
                raise GradedTestFailure(f"layer {i} ({got[0]}): {key} is {got[3].get(key)!r}, expected {value!r}")
    passed()


# --- Sampled values and gradients --------------------------------------------------------

def sample_indices(shape, k=6):
    """k index tuples spread evenly over an array of `shape` (first, last, and between)."""
    size = int(np.prod(shape))
    return [tuple(int(i) for i in np.unravel_index(flat, shape)) for flat in np.linspace(0, size - 1, k).astype(int)]


def sample_values(array, k=6):
    """The values of `array` at `sample_indices(array.shape, k)`, rounded for storing in a test file."""
    return [round(float(array[index]), 8) for index in sample_indices(np.shape(array), k)]


def assert_samples(actual, expected_shape, expected_values, name, atol=1e-6):
    """Fail unless `actual` has `expected_shape` and matches `expected_values` at the sampled indices."""
    assert_shape(actual, expected_shape, name)
    actual = np.asarray(actual, dtype=float)
    for index, expected in zip(sample_indices(expected_shape, len(expected_values)), expected_values):
        if not np.isclose(actual[index], expected, atol=atol, rtol=1e-6):
            raise GradedTestFailure(f"{name} has wrong values: at index {index} got {actual[index]:.6g}, "
                                    f"expected {expected:.6g}")


def assert_gradient(analytic, loss, array, name, tolerance=1e-7):
    """Fail unless `analytic` matches the finite-difference gradient of `loss()` with respect to `array`."""
    from utils.gradient_check import numerical_gradient, relative_error
    assert_shape(analytic, np.shape(array), name)
    error = relative_error(np.asarray(analytic, dtype=float), numerical_gradient(loss, array))
    if not error < tolerance:
        raise GradedTestFailure(f"{name} does not match the numerical gradient: relative error {error:.1e} "
                                f"(should be below {tolerance:.0e})")


def keras_gru_states(x, kernel, recurrent, bias, h0=None):
    """A NumPy reference of a Keras GRU (reset_after=True, gates z, r, h): its states (T, units) over x (T, n_x),
    from h0 (zeros by default), one step at a time, from the layer's [kernel, recurrent_kernel, bias] weights."""
    from utils.rnn_utils import sigmoid
    units = recurrent.shape[0]
    h, states = (np.zeros(units) if h0 is None else h0), []
    for x_t in x:
        from_x, from_h = x_t @ kernel + bias[0], h @ recurrent + bias[1]
        z = sigmoid(from_x[:units] + from_h[:units])
        r = sigmoid(from_x[units:2 * units] + from_h[units:2 * units])
        candidate = np.tanh(from_x[2 * units:] + r * from_h[2 * units:])
        h = z * h + (1 - z) * candidate
        states.append(h)
    return np.array(states)
