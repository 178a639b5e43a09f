"""Graded-cell tests for "Improvise a Jazz Solo with an LSTM Network"."""
import keras
import numpy as np

from utils.testing import (GradedTestFailure, assert_close, assert_raises_value_error, assert_shape, compare_model,
                           passed)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _layers(n_values, n_a, seed):
    """A shared LSTM cell, softmax Dense and Reshape with fixed weights drawn from RandomState(seed)."""
    rng = np.random.RandomState(seed)
    LSTM_cell = keras.layers.LSTM(n_a, return_state=True)
    densor = keras.layers.Dense(n_values, activation="softmax")
    reshaper = keras.layers.Reshape((1, n_values))
    LSTM_cell.build((None, 1, n_values))
    densor.build((None, n_a))
    LSTM_cell.set_weights([rng.uniform(-1, 1, w.shape).astype(np.float32) for w in LSTM_cell.get_weights()])
    densor.set_weights([rng.uniform(-2, 2, w.shape).astype(np.float32) for w in densor.get_weights()])
    return LSTM_cell, densor, reshaper


def _step(LSTM_cell, densor, x, a, c):
    """One step of the shared layers in NumPy (Keras gate order i, f, c, o): (probabilities, a, c)."""
    W, U, b = LSTM_cell.get_weights()
    n_a = U.shape[0]
    z = x @ W + a @ U + b
    i, f, o = _sigmoid(z[:, :n_a]), _sigmoid(z[:, n_a:2 * n_a]), _sigmoid(z[:, 3 * n_a:])
    c = f * c + i * np.tanh(z[:, 2 * n_a:3 * n_a])
    a = o * np.tanh(c)
    Wd, bd = densor.get_weights()
    logits = a @ Wd + bd
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True), a, c


def _check_io(model, input_shapes, n_outputs, n_values, what):
    if not isinstance(model, keras.Model):
        raise GradedTestFailure(f"{what} should return a keras.Model, got {type(model).__name__}")
    shapes = [tuple(i.shape) for i in model.inputs]
    if shapes != input_shapes:
        raise GradedTestFailure(f"the inputs should be [X, a0, c0] of shapes {input_shapes}, got {shapes}")
    if len(model.outputs) != n_outputs:
        raise GradedTestFailure(f"the model should have {n_outputs} outputs, one per time step, "
                                f"got {len(model.outputs)}")
    for t, output in enumerate(model.outputs):
        if tuple(output.shape) != (None, n_values):
            raise GradedTestFailure(f"output {t} has shape {tuple(output.shape)}, expected (None, {n_values})")


def djmodel_test(target):
    Tx, n_values, n_a, m = 6, 7, 5, 3
    LSTM_cell, densor, reshaper = _layers(n_values, n_a, seed=1)
    model = target(Tx, LSTM_cell, densor, reshaper)
    _check_io(model, [(None, Tx, n_values), (None, n_a), (None, n_a)], Tx, n_values, "djmodel")
    rng = np.random.RandomState(2)
    X = np.eye(n_values, dtype=np.float32)[rng.randint(n_values, size=(m, Tx))]
    a0 = rng.uniform(-1, 1, (m, n_a)).astype(np.float32)
    c0 = rng.uniform(-1, 1, (m, n_a)).astype(np.float32)
    outputs = [np.asarray(y) for y in model([X, a0, c0])]
    a, c = a0, c0
    for t in range(Tx):
        # Step t reads X[:, t] and the state of step t - 1: the teacher's symbol, not the model's guess.
        p, a, c = _step(LSTM_cell, densor, X[:, t], a, c)
        assert_close(outputs[t], p, f"output {t} (for X[:, {t}] and the state after step {t - 1})", atol=1e-5)
    expected = [
        ["InputLayer", (None, Tx, n_values), 0, {}],
        ["Reshape", None, 0, {}],
        ["InputLayer", (None, n_a), 0, {}],
        ["InputLayer", (None, n_a), 0, {}],
        ["LSTM", None, 4 * n_a * (n_values + n_a + 1), {"units": n_a, "return_state": True}],
        ["Dense", None, (n_a + 1) * n_values, {"activation": "softmax"}],
    ]
    compare_model(model, expected)


def music_inference_model_test(target):
    n_values, n_a, Ty, m = 6, 5, 8, 2
    LSTM_cell, densor, _ = _layers(n_values, n_a, seed=3)
    model = target(LSTM_cell, densor, Ty=Ty)
    _check_io(model, [(None, 1, n_values), (None, n_a), (None, n_a)], Ty, n_values, "music_inference_model")
    rng = np.random.RandomState(4)
    x0 = np.eye(n_values, dtype=np.float32)[rng.randint(n_values, size=(m, 1))]
    a0 = rng.uniform(-1, 1, (m, n_a)).astype(np.float32)
    c0 = rng.uniform(-1, 1, (m, n_a)).astype(np.float32)
    outputs = [np.asarray(y) for y in model([x0, a0, c0])]
    x, a, c = x0[:, 0], a0, c0
    for t in range(Ty):
        p, a, c = _step(LSTM_cell, densor, x, a, c)
        assert_close(outputs[t], p, f"output {t} (after feeding back the one-hot argmax of output {t - 1})",
                     atol=1e-5)
        x = np.eye(n_values, dtype=np.float32)[p.argmax(axis=1)]  # the most likely symbol is the next input
    expected = [
        ["InputLayer", (None, 1, n_values), 0, {}],
        ["InputLayer", (None, n_a), 0, {}],
        ["InputLayer", (None, n_a), 0, {}],
        ["LSTM", None, 4 * n_a * (n_values + n_a + 1), {"units": n_a, "return_state": True}],
        ["Dense", None, (n_a + 1) * n_values, {"activation": "softmax"}],
    ]
    compare_model(model, expected)


def _fixed_generator(n_values, n_a, Ty, seed):
    """A stand-in for an inference model with the same inputs and outputs: Ty softmax layers of [x0, a0, c0]."""
    x0 = keras.Input(shape=(1, n_values))
    a0, c0 = keras.Input(shape=(n_a,)), keras.Input(shape=(n_a,))
    features = keras.layers.Concatenate()([keras.layers.Flatten()(x0), a0, c0])
    layers = [keras.layers.Dense(n_values, activation="softmax") for _ in range(Ty)]
    model = keras.Model([x0, a0, c0], [layer(features) for layer in layers])
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(-3, 3, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def predict_and_sample_test(target):
    n_values, n_a, Ty = 10, 4, 7  # Ty differs from n_values, so a wrong axis shows in the shapes
    model = _fixed_generator(n_values, n_a, Ty, seed=5)
    rng = np.random.RandomState(6)
    x_initializer = np.eye(n_values, dtype=np.float32)[[[3]]]  # a start symbol: the generator depends on it
    a_initializer = rng.uniform(-1, 1, (1, n_a)).astype(np.float32)
    c_initializer = rng.uniform(-1, 1, (1, n_a)).astype(np.float32)
    returned = target(model, x_initializer, a_initializer, c_initializer)
    if not (isinstance(returned, tuple) and len(returned) == 2):
        raise GradedTestFailure("predict_and_sample should return a tuple (results, indices)")
    results, indices = (np.asarray(r) for r in returned)
    assert_shape(indices, (Ty, 1), "indices")
    assert_shape(results, (Ty, n_values), "results")
    probabilities = np.array(model.predict([x_initializer, a_initializer, c_initializer], verbose=0))
    expected = probabilities.argmax(axis=-1)
    if not np.array_equal(indices, expected):
        cause = "take the argmax of each output over the last axis"
        for wrong_inputs, mistake in (
                ([np.zeros_like(x_initializer), a_initializer, c_initializer], "pass x_initializer as the first input"),
                ([x_initializer, a_initializer, a_initializer], "pass c_initializer as the third input"),
                ([x_initializer, c_initializer, a_initializer], "pass the inputs in the order [x, a, c]")):
            if np.array_equal(indices, np.array(model.predict(wrong_inputs, verbose=0)).argmax(axis=-1)):
                cause = mistake
        raise GradedTestFailure(f"indices should be the argmax of each output of inference_model.predict("
                                f"[x_initializer, a_initializer, c_initializer]): expected "
                                f"{expected.ravel().tolist()}, got {indices.ravel().tolist()}: {cause}")
    assert_close(results, np.eye(n_values)[expected[:, 0]], "results (the one-hot vectors of the indices)")
    passed()


def sample_with_temperature_test(target):
    p = np.array([0.1, 0.2, 0.6, 0.1])
    for temperature in (0, 0.0):
        try:
            got = target(p, temperature, np.random.default_rng(0))
        except ValueError as error:
            raise GradedTestFailure(f"temperature {temperature} is allowed (it means the argmax), but your function "
                                    f"raised ValueError: {error}; only a negative temperature is an error") from None
        if not isinstance(got, (int, np.integer)) or got != 2:
            raise GradedTestFailure(f"with temperature {temperature} the result should be the argmax, 2; got {got!r}")
    generator = np.random.default_rng(7)
    first = [target(p, 1.0, generator) for _ in range(20)]
    generator = np.random.default_rng(7)
    again = [target(p, 1.0, generator) for _ in range(20)]
    if len(set(first)) == 1:
        raise GradedTestFailure(f"20 draws at temperature 1 with one generator all gave {first[0]}: draw with the "
                                f"`rng` you are given, do not create a new generator in each call")
    if first != again:
        raise GradedTestFailure("draw the index with the `rng` argument, so that a seed repeats the draws")
    for temperature in (1.0, 0.5, 2.0):
        rng = np.random.default_rng(8)
        draws = np.array([target(p, temperature, rng) for _ in range(4000)])
        if draws.min() < 0 or draws.max() >= p.size:
            raise GradedTestFailure(f"indices should lie in 0..{p.size - 1}, got {draws.min()}..{draws.max()}")
        expected = p ** (1 / temperature) / np.sum(p ** (1 / temperature))
        frequencies = np.bincount(draws, minlength=p.size) / draws.size
        assert_close(frequencies, expected, f"how often each index is drawn at temperature {temperature} "
                     f"(expected p ** (1 / T), normalised)", atol=0.03, rtol=0)
    assert_raises_value_error(target, p, -1.0, np.random.default_rng(0), mentions="temperature")
    passed()
