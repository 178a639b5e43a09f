"""Graded-cell tests for "Neural Machine Translation of Dates, with Attention".

The graded functions use layers the notebook creates once and shares (`densor1`, `densor2`,
`post_activation_LSTM_cell`, `output_layer`). While a test runs, it puts fresh copies of them in the notebook's
namespace, sets their weights itself, and compares what your code computes with a NumPy computation of the
formulas; your layers are put back afterwards, untouched.
"""
import contextlib
import io

import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_shape, compare_model, passed, summarize_model


# --- helpers -----------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _fresh_layers(functions, names):
    """Swap the shared layers `names` of the functions' namespaces for unbuilt copies (zero initializers, so no
    random draws), yield {name: copy}, and put the originals back."""
    spaces = {id(f.__globals__): f.__globals__ for f in functions}.values()
    originals, copies = [], {}
    for name in names:
        layer = next((space[name] for space in spaces if name in space), None)
        if layer is None:
            raise GradedTestFailure(f"the shared layer {name} is not defined: run the cell that creates the "
                                    "shared layers (above one_step_attention) first")
        config = layer.get_config()
        for key in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
            if key in config:
                config[key] = "zeros"
        copies[name] = type(layer).from_config(config)
    for space in spaces:
        for name in names:
            if name in space:
                originals.append((space, name, space[name]))
                space[name] = copies[name]
    try:
        yield copies
    finally:
        for space, name, layer in originals:
            space[name] = layer


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    """One step of a Keras LSTM (gates in the order i, f, c, o)."""
    z = x @ kernel + h @ recurrent_kernel + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def _lstm_sequence(x, weights, reverse=False):
    """All hidden states of an LSTM over x (m, T, features), starting from zeros; `reverse` reads backwards
    and returns the states in the input's order (as Bidirectional does)."""
    m, steps = x.shape[:2]
    units = weights[1].shape[0]
    h, c = np.zeros((m, units)), np.zeros((m, units))
    states = [None] * steps
    for t in (reversed(range(steps)) if reverse else range(steps)):
        h, c = _lstm_step(x[:, t], h, c, *weights)
        states[t] = h
    return np.stack(states, axis=1)


def _attention(a, s_prev, dense1, dense2, s_first):
    """NumPy attention: alphas (m, Tx, 1) and context (m, 1, 2 n_a); `s_first` puts s_prev first in the concat."""
    s_rep = np.repeat(s_prev[:, None, :], a.shape[1], axis=1)
    concat = np.concatenate([s_rep, a] if s_first else [a, s_rep], axis=-1)
    e = np.tanh(concat @ dense1[0] + dense1[1])
    energies = np.maximum(0, e @ dense2[0] + dense2[1])
    alphas = _softmax(energies, axis=1)
    return alphas, np.sum(alphas * a, axis=1, keepdims=True)


def _weights(layer):
    return [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]


def _set_dense_weights(dense1, dense2, rng, n_in):
    """Weights of realistic size for the attention's two Dense layers; densor2's bias keeps most ReLUs active."""
    dense1.set_weights([rng.normal(0, 0.3, (n_in, 10)), rng.normal(0, 0.5, 10)])
    dense2.set_weights([rng.normal(0, 1.0, (10, 1)), np.array([1.0])])


# --- tests ---------------------------------------------------------------------------------------------------------

def one_step_attention_test(target):
    rng = np.random.RandomState(0)
    m, Tx, n_a2, n_s = 3, 30, 64, 64
    a = rng.uniform(-1, 1, (m, Tx, n_a2)).astype(np.float32)  # like LSTM states: in (-1, 1)
    s_prev = rng.uniform(-1, 1, (m, n_s)).astype(np.float32)
    s_other = rng.uniform(-1, 1, (m, n_s)).astype(np.float32)
    with _fresh_layers([target], ("densor1", "densor2")) as layers:
        context = np.asarray(target(a, s_prev))
        assert_shape(context, (m, 1, n_a2), "context")
        result = target(a, s_prev, return_alphas=True)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise GradedTestFailure("with return_alphas=True, one_step_attention should return (context, alphas)")
        context, alphas = (np.asarray(x) for x in result)
        assert_shape(alphas, (m, Tx, 1), "alphas (one weight per input position)")
        if np.any(alphas < 0):
            raise GradedTestFailure("attention weights must not be negative: use the softmax `activator`")
        assert_close(alphas.sum(axis=1), np.ones((m, 1)),
                     "the sum of the attention weights over the 30 input positions (softmax over axis 1)", atol=1e-5)
        assert_close(context[:, 0, :], np.sum(alphas * a, axis=1),
                     "context (the sum over time of alphas * a: combine the weights with a using dotor)",
                     atol=1e-5, rtol=1e-4)
        dense1, dense2 = layers["densor1"], layers["densor2"]
        if not dense1.built:
            raise GradedTestFailure("densor1 is never used: apply densor1 to the concatenation of a and the "
                                    "repeated s_prev, then densor2 to its output")
        if not dense2.built:
            raise GradedTestFailure("densor2 is never used: apply it to densor1's output to get the energies")
        if tuple(dense1.kernel.shape) != (n_a2 + n_s, 10):
            raise GradedTestFailure(f"densor1 gets {dense1.kernel.shape[0]} features per position, expected "
                                    f"{n_a2 + n_s}: apply it to the concatenation of a (2 n_a = {n_a2}) and the "
                                    f"repeated s_prev (n_s = {n_s})")
        if tuple(dense2.kernel.shape) != (10, 1):
            raise GradedTestFailure(f"densor2 gets {dense2.kernel.shape[0]} features per position, expected 10: "
                                    "apply it to densor1's output, not to the concatenation")
        # Known weights: compare with the formulas.
        _set_dense_weights(dense1, dense2, rng, n_a2 + n_s)
        context, alphas = (np.asarray(x, dtype=np.float64) for x in target(a, s_prev, return_alphas=True))
        _, alphas_other = target(a, s_other, return_alphas=True)
        if np.allclose(alphas, np.asarray(alphas_other), atol=1e-6):
            raise GradedTestFailure("the attention weights don't depend on s_prev: concatenate a with s_prev "
                                    "repeated Tx times (repeator), and feed that to densor1")
        d1, d2 = _weights(dense1), _weights(dense2)
        references = [_attention(a.astype(np.float64), s_prev.astype(np.float64), d1, d2, s_first)
                      for s_first in (False, True)]  # [a; s_prev] as in the notebook, or [s_prev; a]: both fine
        expected_alphas, expected_context = min(references, key=lambda r: np.abs(r[0] - alphas).max())
        assert_close(alphas, expected_alphas,
                     "alphas, with the test's weights in densor1 and densor2 (check: densor1 then densor2, each "
                     "once, on [a; repeated s_prev], then one softmax over the Tx axis with activator)",
                     atol=1e-5, rtol=1e-4)
        assert_close(context, expected_context, "context, with the test's weights", atol=1e-5, rtol=1e-4)
    passed()


def modelf_test(target):
    import keras
    Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size = 30, 10, 32, 64, 44, 11
    functions = [target] + [f for f in [target.__globals__.get("one_step_attention")] if callable(f)]
    shared = ("densor1", "densor2", "post_activation_LSTM_cell", "output_layer")
    with _fresh_layers(functions, shared) as layers:
        model = target(Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size)
        if not isinstance(model, keras.Model):
            raise GradedTestFailure(f"modelf should return a keras.Model, got {type(model).__name__}")
        if len(model.outputs) != Ty:
            raise GradedTestFailure(f"the model should have Ty = {Ty} outputs, one per character, got "
                                    f"{len(model.outputs)}: append output_layer(s) to outputs inside the loop")
        for i, output in enumerate(model.outputs):
            if tuple(output.shape) != (None, machine_vocab_size):
                raise GradedTestFailure(f"output {i} has shape {tuple(output.shape)}, expected "
                                        f"(None, {machine_vocab_size})")
        if [tuple(i.shape) for i in model.inputs] != [(None, Tx, human_vocab_size), (None, n_s), (None, n_s)]:
            raise GradedTestFailure("the inputs should be [X, s0, c0] of shapes (Tx, human_vocab_size), (n_s,), "
                                    "(n_s,)")
        _check_initial_state(model, Tx, n_s, human_vocab_size)
        expected = [
            ["InputLayer", (None, Tx, human_vocab_size), 0, {}],
            ["InputLayer", (None, n_s), 0, {}],
            ["Bidirectional", (None, Tx, 2 * n_a), 2 * 4 * n_a * (human_vocab_size + n_a + 1), {}],
            ["RepeatVector", (None, Tx, n_s), 0, {"n": Tx}],
            ["Concatenate", (None, Tx, 2 * n_a + n_s), 0, {}],
            ["Dense", (None, Tx, 10), (2 * n_a + n_s + 1) * 10, {"activation": "tanh"}],
            ["Dense", (None, Tx, 1), 11, {"activation": "relu"}],
            ["Softmax", (None, Tx, 1), 0, {}],
            ["Dot", (None, 1, 2 * n_a), 0, {"axes": 1}],
            ["InputLayer", (None, n_s), 0, {}],
            ["LSTM", [(None, n_s)] * 3, 4 * n_s * (2 * n_a + n_s + 1), {"units": n_s, "return_state": True}],
            ["Dense", (None, machine_vocab_size), (n_s + 1) * machine_vocab_size, {"activation": "softmax"}],
        ]
        if summarize_model(model)[0][:2] == ["InputLayer", (None, n_s)]:
            # An attention that concatenates [s_prev; a] (as correct as [a; s_prev]) meets s0 first.
            expected = [expected[1], expected[0], expected[3], expected[2]] + expected[4:]
        with contextlib.redirect_stdout(io.StringIO()):  # its "All tests passed" would come too early
            compare_model(model, expected)
        _check_connections(model, layers, Tx, Ty, n_s, human_vocab_size)
    passed()


def _check_initial_state(model, Tx, n_s, human_vocab_size):
    """With random weights in every layer, the outputs must change when s0 or c0 does."""
    rng = np.random.RandomState(2)
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([rng.normal(0, 0.3, np.shape(w)) for w in layer.get_weights()])
    m = 2
    X = np.eye(human_vocab_size, dtype=np.float32)[rng.randint(0, human_vocab_size, (m, Tx))]
    s0, c0 = (rng.normal(0, 1, (m, n_s)).astype(np.float32) for _ in range(2))
    zeros = np.zeros_like(s0)

    def run(s, c):
        return [np.asarray(y, dtype=np.float64) for y in model([X, s, c], training=False)]

    outputs = run(s0, c0)
    for name, changed in [("s0", run(zeros, c0)), ("c0", run(s0, zeros))]:
        if all(np.allclose(y, z, atol=1e-6) for y, z in zip(outputs, changed)):
            raise GradedTestFailure(f"the outputs don't depend on {name}: start the decoder from s, c = s0, c0 and "
                                    "pass initial_state=[s, c] (state, then memory) to post_activation_LSTM_cell "
                                    "at every step")


def _check_connections(model, layers, Tx, Ty, n_s, human_vocab_size):
    """Set known weights, run the model, and compare every output with a NumPy computation of the wiring."""
    import keras
    rng = np.random.RandomState(1)
    encoder = next(layer for layer in model.layers if isinstance(layer, keras.layers.Bidirectional))
    for lstm in (encoder.forward_layer, encoder.backward_layer):
        units = lstm.units
        lstm.set_weights([rng.normal(0, 0.5, (human_vocab_size, 4 * units)), rng.normal(0, 0.3, (units, 4 * units)),
                          rng.normal(0, 0.3, 4 * units)])
    _set_dense_weights(layers["densor1"], layers["densor2"], rng, layers["densor1"].kernel.shape[0])
    decoder, out = layers["post_activation_LSTM_cell"], layers["output_layer"]
    decoder.set_weights([rng.normal(0, 0.3, w.shape) for w in decoder.get_weights()])
    out.set_weights([rng.normal(0, 0.5, w.shape) for w in out.get_weights()])

    m = 3
    X = np.eye(human_vocab_size, dtype=np.float32)[rng.randint(0, human_vocab_size, (m, Tx))]
    s0 = rng.normal(0, 1, (m, n_s)).astype(np.float32)
    c0 = rng.normal(0, 1, (m, n_s)).astype(np.float32)

    outputs = [np.asarray(y, dtype=np.float64) for y in model([X, s0, c0], training=False)]

    a = np.concatenate([_lstm_sequence(X, _weights(encoder.forward_layer)),
                        _lstm_sequence(X, _weights(encoder.backward_layer), reverse=True)], axis=-1)
    d1, d2 = _weights(layers["densor1"]), _weights(layers["densor2"])
    lstm_weights, (w_out, b_out) = _weights(decoder), _weights(out)
    best = None
    for s_first in (False, True):  # either order of the concatenation is a correct attention
        s, c = s0.astype(np.float64), c0.astype(np.float64)
        expected = []
        for _ in range(Ty):
            _, context = _attention(a, s, d1, d2, s_first)
            s, c = _lstm_step(context[:, 0], s, c, *lstm_weights)
            expected.append(_softmax(s @ w_out + b_out, axis=-1))
        differ = [t for t in range(Ty) if not np.allclose(outputs[t], expected[t], atol=1e-4, rtol=1e-3)]
        if not differ:
            return
        best = differ if best is None or differ[0] > best[0] else best
    t = best[0]
    if t == 0:
        raise GradedTestFailure("output 0 differs from the model computed with the test's weights: check that the "
                                "first step attends with s0 and runs post_activation_LSTM_cell(context, "
                                "initial_state=[s0, c0]), and that output_layer is applied to the new state s "
                                "(not to c)")
    raise GradedTestFailure(f"the outputs before step {t} are right but output {t} differs from the model computed with "
                            "the test's weights: check that each step uses the s and c returned by the step before "
                            "(for the attention and as initial_state=[s, c]), and that output_layer is applied to "
                            "the new s after the LSTM step")
