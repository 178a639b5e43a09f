"""Building blocks shared by the numpy RNN, LSTM and GRU notebooks.

Activations, parameter initialisers, shape checks that fail with a clear message,
and conversions of our parameter dictionaries to the weight layouts Keras uses.
"""
import numpy as np

# Each parameter's shape, written with the dimension names used in the notebooks.
RNN_PARAMETERS = {"Wax": "n_a n_x", "Waa": "n_a n_a", "Wya": "n_y n_a", "ba": "n_a 1", "by": "n_y 1"}
LSTM_PARAMETERS = {
    "Wf": "n_a n_a+n_x", "bf": "n_a 1",
    "Wi": "n_a n_a+n_x", "bi": "n_a 1",
    "Wc": "n_a n_a+n_x", "bc": "n_a 1",
    "Wo": "n_a n_a+n_x", "bo": "n_a 1",
    "Wy": "n_y n_a", "by": "n_y 1",
}
GRU_PARAMETERS = {
    "Wu": "n_a n_a+n_x", "bu": "n_a 1",
    "Wr": "n_a n_a+n_x", "br": "n_a 1",
    "Wc": "n_a n_a+n_x", "bc": "n_a 1",
    "Wy": "n_y n_a", "by": "n_y 1",
}
GRU_RESET_AFTER_PARAMETERS = {**GRU_PARAMETERS, "bca": "n_a 1"}
BIRNN_PARAMETERS = {
    "Wax_f": "n_a n_x", "Waa_f": "n_a n_a", "ba_f": "n_a 1",
    "Wax_b": "n_a n_x", "Waa_b": "n_a n_a", "ba_b": "n_a 1",
    "Wya": "n_y n_a+n_a", "by": "n_y 1",
}


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), as the identity 0.5 * (1 + tanh(x / 2)): fast, and never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(x):
    """Softmax over axis 0 (the class axis of a (n_y, m) array)."""
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def check_shapes(arrays, parameters=None, layout=None, known=None):
    """Check array shapes against named dimensions; raise ValueError naming the culprit.

    arrays: {argument name: (array, "dim dim ...")}; parameters/layout: a parameter
    dictionary and its layout (e.g. RNN_PARAMETERS). A dimension written "n_a+n_x"
    must equal the sum of the named dimensions. `known` presets sizes (e.g. {"m": 10}).
    Returns the dimension sizes found.
    """
    parameter_specs = {}
    if layout is not None:
        if not isinstance(parameters, dict):
            raise ValueError(f"parameters must be a dict with keys {sorted(layout)}, got {type(parameters).__name__}")
        missing = [key for key in layout if key not in parameters]
        if missing:
            raise ValueError(f"parameters is missing the key(s) {missing}")
        parameter_specs = {f"parameters['{key}']": (parameters[key], dims) for key, dims in layout.items()}
    sizes = dict(known or {})
    # Parameters first: they define the model, so an input that disagrees with them is the one blamed.
    # Within each group, bind plain names before checking sums such as "n_a+n_x".
    for specs in (parameter_specs, arrays):
        for composite in (False, True):
            for name, (array, dims) in specs.items():
                _check_one(name, np.shape(array), dims.split(), composite, sizes)
    return sizes


def _check_one(name, shape, dims, composite, sizes):
    if len(shape) != len(dims):
        raise ValueError(f"{name} must have {len(dims)} dimensions ({' x '.join(dims)}), got shape {shape}")
    for size, dim in zip(shape, dims):
        if ("+" in dim) != composite:
            continue
        if size == 0:
            raise ValueError(f"{name} has shape {shape}: its dimension {dim} is empty")
        if dim.isdigit():
            expected = int(dim)
        elif composite:
            expected = _sum_of_dimensions(dim.split("+"), size, sizes)
        else:
            expected = sizes.setdefault(dim, size)
        if size != expected:
            raise ValueError(f"{name} has shape {shape}, but its dimension {dim} should be {expected} "
                             f"to match the other inputs ({_describe(sizes)})")


def _sum_of_dimensions(names, size, sizes):
    """The expected size of a sum such as n_a+n_x; a single unknown term is inferred from `size`."""
    unknown = [name for name in names if name not in sizes]
    if len(unknown) == 1 and size >= sum(sizes[name] for name in names if name in sizes):
        sizes[unknown[0]] = size - sum(sizes[name] for name in names if name in sizes)
    if any(name not in sizes for name in names):
        return size  # nothing to compare with yet
    return sum(sizes[name] for name in names)


def _describe(sizes):
    return ", ".join(f"{k}={v}" for k, v in sizes.items())


def check_shape(name, array, expected_shape):
    """Raise ValueError unless `array` has `expected_shape` (e.g. a gradient and the value it belongs to)."""
    if np.shape(array) != tuple(expected_shape):
        raise ValueError(f"{name} must have shape {tuple(expected_shape)}, got {np.shape(array)}")


def initialize_parameters(layout, n_x, n_a, n_y, rng, scale=1.0):
    """Random parameters for `layout` (RNN_PARAMETERS, LSTM_PARAMETERS, ...): Gaussian weights, zero biases.

    Weights are scaled by scale / sqrt(fan_in) so activations neither explode nor vanish at the start.
    """
    sizes = {"n_x": n_x, "n_a": n_a, "n_y": n_y}
    parameters = {}
    for key, dims in layout.items():
        shape = tuple(sum(sizes[d] for d in dim.split("+")) if dim != "1" else 1 for dim in dims.split())
        if key.startswith("b"):
            parameters[key] = np.zeros(shape)
        else:
            parameters[key] = rng.standard_normal(shape) * scale / np.sqrt(shape[1])
    return parameters


# --- Keras weight layouts -------------------------------------------------------------
# Keras keeps batch-major inputs (m, T_x, n_x) and applies kernels on the right (x @ W),
# so its matrices are our transposes, with the gates side by side along the last axis.

def to_keras_sequence(x):
    """(n, m, T_x) as in the notebooks -> (m, T_x, n) as in Keras."""
    return np.transpose(x, (1, 2, 0))


def from_keras_sequence(x):
    """(m, T_x, n) as in Keras -> (n, m, T_x) as in the notebooks."""
    return np.transpose(x, (2, 0, 1))


def rnn_keras_weights(parameters):
    """[kernel, recurrent_kernel, bias] for keras.layers.SimpleRNN from our RNN parameters."""
    return [parameters["Wax"].T, parameters["Waa"].T, parameters["ba"][:, 0]]


def _split(W, n_a):
    """A gate matrix acting on [a_prev; x_t] -> (input part, recurrent part), transposed for Keras."""
    return W[:, n_a:].T, W[:, :n_a].T


def lstm_keras_weights(parameters):
    """[kernel, recurrent_kernel, bias] for keras.layers.LSTM (gate order i, f, c, o)."""
    n_a = parameters["Wf"].shape[0]
    gates = [_split(parameters[k], n_a) for k in ("Wi", "Wf", "Wc", "Wo")]
    kernel = np.concatenate([g[0] for g in gates], axis=1)
    recurrent = np.concatenate([g[1] for g in gates], axis=1)
    bias = np.concatenate([parameters[k][:, 0] for k in ("bi", "bf", "bc", "bo")])
    return [kernel, recurrent, bias]


def gru_keras_weights(parameters, reset_after):
    """[kernel, recurrent_kernel, bias] for keras.layers.GRU (gate order z, r, h).

    Keras writes h = z * h_prev + (1 - z) * h_tilde, while the lectures write
    a = u * c_tilde + (1 - u) * a_prev; so Keras' z is 1 - u, i.e. negated u weights.
    """
    n_a = parameters["Wu"].shape[0]
    (ux, ua), (rx, ra), (cx, ca) = (_split(parameters[k], n_a) for k in ("Wu", "Wr", "Wc"))
    kernel = np.concatenate([-ux, rx, cx], axis=1)
    recurrent = np.concatenate([-ua, ra, ca], axis=1)
    input_bias = np.concatenate([-parameters["bu"][:, 0], parameters["br"][:, 0], parameters["bc"][:, 0]])
    if not reset_after:
        return [kernel, recurrent, input_bias]
    recurrent_bias = np.concatenate([np.zeros(2 * n_a), parameters["bca"][:, 0]])
    return [kernel, recurrent, np.stack([input_bias, recurrent_bias])]
