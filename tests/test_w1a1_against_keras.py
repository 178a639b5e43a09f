"""W1A1's numpy RNN, LSTM, GRU, bidirectional and deep RNN checked against Keras, in float64.

Forward passes: Keras layers (SimpleRNN, LSTM, GRU, Bidirectional, stacked SimpleRNN, and a
Dense softmax on top) with weights copied from our parameters give the reference states and
predictions. The same references reproduce every stored answer in public_tests.EXPECTED.
Backward passes: tf.GradientTape through those Keras layers, with loss = sum(G * states).
"""
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.notebook_tools import load_definitions, load_public_tests
from utils.rnn_utils import (BIRNN_PARAMETERS, GRU_PARAMETERS, GRU_RESET_AFTER_PARAMETERS, LSTM_PARAMETERS,
                             RNN_PARAMETERS, from_keras_sequence, gru_keras_weights, lstm_keras_weights,
                             rnn_keras_weights, to_keras_sequence)
from utils.testing import assert_samples

NB = (Path(__file__).resolve().parents[1]
      / "Week-1/W1A1_RNN_Step_by_Step/Building_a_Recurrent_Neural_Network_Step_by_Step.ipynb")
w1a1 = load_definitions(NB)
public = load_public_tests(NB)

ATOL = 1e-6
# Sizes unlike the graded tests' (3, 5, 2, 4, 3), so both sets of shapes are exercised.
SIZES = {"n_x": 4, "n_a": 3, "n_y": 3, "m": 2, "T_x": 5}


# --- Keras references -------------------------------------------------------------------------

def keras_layer(layer, weights, n_x):
    """Build a float64 Keras recurrent layer for n_x input features and load `weights` into it."""
    layer.build((None, None, n_x))
    layer.set_weights(weights)
    return layer


def recurrent(cls, weights, n_x, **options):
    """A float64 SimpleRNN/LSTM/GRU returning all states, with [kernel, recurrent_kernel, bias] loaded."""
    n_a = weights[1].shape[0]
    return keras_layer(cls(n_a, return_sequences=True, dtype="float64", **options), weights, n_x)


def run(layer, x, initial_state):
    """Run a Keras layer on our (n_x, m, T_x) input and (n_a, m) initial states; states in our layout."""
    outputs = layer(to_keras_sequence(x), initial_state=[state.T for state in initial_state])
    sequence = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
    return from_keras_sequence(np.asarray(sequence))


def keras_softmax(W, b, a):
    """Predictions softmax(W a + b) at every step, from a Keras Dense(softmax) layer."""
    dense = keras.layers.Dense(W.shape[0], activation="softmax", dtype="float64")
    dense.build((None, W.shape[1]))
    dense.set_weights([W.T, b[:, 0]])
    return from_keras_sequence(np.asarray(dense(to_keras_sequence(a))))


def rnn_layer(parameters):
    return recurrent(keras.layers.SimpleRNN, rnn_keras_weights(parameters), parameters["Wax"].shape[1])


def lstm_layer(parameters):
    n_x = parameters["Wf"].shape[1] - parameters["Wf"].shape[0]
    return recurrent(keras.layers.LSTM, lstm_keras_weights(parameters), n_x, return_state=True)


def gru_layer(parameters, reset_after):
    n_x = parameters["Wu"].shape[1] - parameters["Wu"].shape[0]
    return recurrent(keras.layers.GRU, gru_keras_weights(parameters, reset_after), n_x, reset_after=reset_after)


def keras_rnn(x, a0, parameters):
    """(a, y_pred) of a SimpleRNN with a Dense softmax on its states."""
    a = run(rnn_layer(parameters), x, [a0])
    return a, keras_softmax(parameters["Wya"], parameters["by"], a)


def keras_lstm(x, a0, c0, parameters):
    """(a, y, c) of an LSTM; c at step t is the final memory state after the first t + 1 steps."""
    layer = lstm_layer(parameters)
    a = run(layer, x, [a0, c0])
    c = np.stack([np.asarray(layer(to_keras_sequence(x[:, :, :t + 1]), initial_state=[a0.T, c0.T])[2]).T
                  for t in range(x.shape[2])], axis=-1)
    return a, keras_softmax(parameters["Wy"], parameters["by"], a), c


def keras_gru(x, a0, parameters, reset_after):
    """(a, y_pred) of a GRU (lecture update convention mapped by gru_keras_weights)."""
    a = run(gru_layer(parameters, reset_after), x, [a0])
    return a, keras_softmax(parameters["Wy"], parameters["by"], a)


def direction(parameters, suffix):
    """The SimpleRNN parameters of one direction of a bidirectional RNN ("_f" or "_b")."""
    return {key: parameters[key + suffix] for key in ("Wax", "Waa", "ba")}


def keras_birnn(x, a0_f, a0_b, parameters):
    """(a, y_pred) of Bidirectional(SimpleRNN, merge_mode="concat").

    Keras 3 runs the backward layer on the reversed sequence and flips its outputs back, so
    step t of both halves belongs to input t; initial_state=[forward, backward] splits in half,
    and the backward state is the one before it reads x<T_x>, i.e. our a0_b.
    """
    n_a, n_x = parameters["Wax_f"].shape
    layer = keras.layers.Bidirectional(keras.layers.SimpleRNN(n_a, return_sequences=True, dtype="float64"),
                                       merge_mode="concat", dtype="float64")
    layer.build((None, None, n_x))
    layer.forward_layer.set_weights(rnn_keras_weights(direction(parameters, "_f")))
    layer.backward_layer.set_weights(rnn_keras_weights(direction(parameters, "_b")))
    a = run(layer, x, [a0_f, a0_b])
    return a, keras_softmax(parameters["Wya"], parameters["by"], a)


def keras_deep_rnn(x, a0, parameters):
    """(list of each layer's states, y_pred) of stacked SimpleRNN(return_sequences=True) layers."""
    a, inputs = [], x
    for l, a0_l in enumerate(a0, start=1):
        layer_parameters = {key: parameters[f"{key}{l}"] for key in ("Wax", "Waa", "ba")}
        inputs = run(rnn_layer(layer_parameters), inputs, [a0_l])
        a.append(inputs)
    return a, keras_softmax(parameters["Wya"], parameters["by"], inputs)


def assert_matches(actual, expected, name):
    np.testing.assert_allclose(actual, expected, rtol=0, atol=ATOL, err_msg=f"{name} differs from Keras")


def first_step(case):
    """The case's inputs reduced to one time step, for the cell functions."""
    return case["x"][:, :, :1]


# --- Forward passes equal Keras ---------------------------------------------------------------

def test_rnn_cell_forward_matches_keras_simple_rnn():
    case = public.make_case(RNN_PARAMETERS, seed=101, **SIZES)
    a_next, yt_pred, _ = w1a1.rnn_cell_forward(case["x"][:, :, 0], case["a0"], case["parameters"])
    a, y = keras_rnn(first_step(case), case["a0"], case["parameters"])
    assert_matches(a_next, a[:, :, 0], "a_next")
    assert_matches(yt_pred, y[:, :, 0], "yt_pred")


def test_rnn_forward_matches_keras_simple_rnn():
    case = public.make_case(RNN_PARAMETERS, seed=102, **SIZES)
    a, y_pred, _ = w1a1.rnn_forward(case["x"], case["a0"], case["parameters"])
    keras_a, keras_y = keras_rnn(case["x"], case["a0"], case["parameters"])
    assert_matches(a, keras_a, "a")
    assert_matches(y_pred, keras_y, "y_pred")


def test_lstm_cell_forward_matches_keras_lstm():
    case = public.make_case(LSTM_PARAMETERS, seed=103, **SIZES)
    a_next, c_next, yt_pred, _ = w1a1.lstm_cell_forward(case["x"][:, :, 0], case["a0"], case["c0"],
                                                        case["parameters"])
    a, y, c = keras_lstm(first_step(case), case["a0"], case["c0"], case["parameters"])
    assert_matches(a_next, a[:, :, 0], "a_next")
    assert_matches(c_next, c[:, :, 0], "c_next")
    assert_matches(yt_pred, y[:, :, 0], "yt_pred")


def test_lstm_forward_matches_keras_lstm():
    case = public.make_case(LSTM_PARAMETERS, seed=104, **SIZES)
    a, y, c, _ = w1a1.lstm_forward(case["x"], case["a0"], case["parameters"])
    keras_a, keras_y, keras_c = keras_lstm(case["x"], case["a0"], np.zeros_like(case["a0"]), case["parameters"])
    assert_matches(a, keras_a, "a")
    assert_matches(y, keras_y, "y")
    assert_matches(c, keras_c, "c")


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_cell_forward_matches_keras_gru(reset_after):
    layout = GRU_RESET_AFTER_PARAMETERS if reset_after else GRU_PARAMETERS
    case = public.make_case(layout, seed=105, **SIZES)
    a_next, yt_pred, _ = w1a1.gru_cell_forward(case["x"][:, :, 0], case["a0"], case["parameters"], reset_after)
    a, y = keras_gru(first_step(case), case["a0"], case["parameters"], reset_after)
    assert_matches(a_next, a[:, :, 0], "a_next")
    assert_matches(yt_pred, y[:, :, 0], "yt_pred")


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_forward_matches_keras_gru(reset_after):
    layout = GRU_RESET_AFTER_PARAMETERS if reset_after else GRU_PARAMETERS
    case = public.make_case(layout, seed=106, **SIZES)
    a, y_pred, _ = w1a1.gru_forward(case["x"], case["a0"], case["parameters"], reset_after)
    keras_a, keras_y = keras_gru(case["x"], case["a0"], case["parameters"], reset_after)
    assert_matches(a, keras_a, "a")
    assert_matches(y_pred, keras_y, "y_pred")


def test_bidirectional_rnn_forward_matches_keras_bidirectional():
    case = public.make_case(BIRNN_PARAMETERS, seed=107, **SIZES)
    a0_b = case["c0"]  # any second (n_a, m) state
    a, y_pred = w1a1.bidirectional_rnn_forward(case["x"], case["a0"], a0_b, case["parameters"])
    keras_a, keras_y = keras_birnn(case["x"], case["a0"], a0_b, case["parameters"])
    assert_matches(a, keras_a, "a")
    assert_matches(y_pred, keras_y, "y_pred")


def test_deep_rnn_forward_matches_stacked_keras_simple_rnn():
    case = public.deep_case(seed=108, layer_sizes=(4, 6, 3), n_x=5, n_y=3, m=2, T_x=4)
    a, y_pred = w1a1.deep_rnn_forward(case["x"], case["a0"], case["parameters"])
    keras_a, keras_y = keras_deep_rnn(case["x"], case["a0"], case["parameters"])
    assert len(a) == len(keras_a) == 3
    for l, (ours, theirs) in enumerate(zip(a, keras_a)):
        assert_matches(ours, theirs, f"a[{l}]")
    assert_matches(y_pred, keras_y, "y_pred")


# --- The graded tests' stored answers are Keras' answers ----------------------------------------

def keras_answers_for_public_cases():
    """Keras' outputs for the exact inputs of each forward *_test in public_tests, keyed like EXPECTED."""
    answers = {}
    case = public.make_case(RNN_PARAMETERS, seed=1)  # rnn_cell_forward_test
    a, y = keras_rnn(first_step(case), case["a0"], case["parameters"])
    answers.update({"rnn_cell_forward.a_next": a[:, :, 0], "rnn_cell_forward.yt_pred": y[:, :, 0]})
    case = public.make_case(RNN_PARAMETERS, seed=2)  # rnn_forward_test
    answers["rnn_forward.a"], answers["rnn_forward.y_pred"] = keras_rnn(case["x"], case["a0"], case["parameters"])
    case = public.make_case(LSTM_PARAMETERS, seed=3)  # lstm_cell_forward_test
    a, y, c = keras_lstm(first_step(case), case["a0"], case["c0"], case["parameters"])
    answers.update({"lstm_cell_forward.a_next": a[:, :, 0], "lstm_cell_forward.c_next": c[:, :, 0],
                    "lstm_cell_forward.yt_pred": y[:, :, 0]})
    case = public.make_case(LSTM_PARAMETERS, seed=4)  # lstm_forward_test: the memory starts at zero
    a, y, c = keras_lstm(case["x"], case["a0"], np.zeros_like(case["a0"]), case["parameters"])
    answers.update({"lstm_forward.a": a, "lstm_forward.y": y, "lstm_forward.c": c})
    cell_case = public.make_case(GRU_RESET_AFTER_PARAMETERS, seed=5)  # gru_cell_forward_test
    sequence_case = public.make_case(GRU_RESET_AFTER_PARAMETERS, seed=6)  # gru_forward_test
    for reset_after in (False, True):
        a, y = keras_gru(first_step(cell_case), cell_case["a0"], cell_case["parameters"], reset_after)
        answers[f"gru_cell_forward.a_next.reset_after={reset_after}"] = a[:, :, 0]
        answers[f"gru_cell_forward.yt_pred.reset_after={reset_after}"] = y[:, :, 0]
        a, y = keras_gru(sequence_case["x"], sequence_case["a0"], sequence_case["parameters"], reset_after)
        answers[f"gru_forward.a.reset_after={reset_after}"] = a
        answers[f"gru_forward.y_pred.reset_after={reset_after}"] = y
    case = public.make_case(BIRNN_PARAMETERS, seed=7)  # bidirectional_rnn_forward_test
    a0_b = np.random.RandomState(70).standard_normal(case["a0"].shape)
    a, y = keras_birnn(case["x"], case["a0"], a0_b, case["parameters"])
    answers.update({"bidirectional_rnn_forward.a": a, "bidirectional_rnn_forward.y_pred": y})
    case = public.deep_case(seed=8)  # deep_rnn_forward_test
    (a0, a1), y = keras_deep_rnn(case["x"], case["a0"], case["parameters"])
    answers.update({"deep_rnn_forward.a0": a0, "deep_rnn_forward.a1": a1, "deep_rnn_forward.y_pred": y})
    return answers


@pytest.fixture(scope="module")
def keras_answers():
    return keras_answers_for_public_cases()


def test_every_expected_entry_has_a_keras_answer(keras_answers):
    assert sorted(keras_answers) == sorted(public.EXPECTED)


@pytest.mark.parametrize("key", sorted(public.EXPECTED))
def test_public_expected_values_are_keras_values(keras_answers, key):
    shape, values = public.EXPECTED[key]
    assert_samples(keras_answers[key], tuple(shape), values, f"Keras' {key}")


# --- Backward passes equal tf.GradientTape through the Keras layers -------------------------------

def keras_gradients(layer, x, initial_state, G):
    """Gradients of sum(G * states) w.r.t. x, the first initial state, kernel, recurrent kernel and bias."""
    inputs = tf.constant(to_keras_sequence(x))
    states = [tf.constant(state.T) for state in initial_state]
    with tf.GradientTape() as tape:
        tape.watch([inputs, *states])
        outputs = layer(inputs, initial_state=states)
        sequence = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        loss = tf.reduce_sum(tf.constant(to_keras_sequence(G)) * sequence)
    kernel, recurrent_kernel, bias = layer.trainable_weights
    dx, da0, dkernel, drecurrent, dbias = (np.asarray(g) for g in tape.gradient(
        loss, [inputs, states[0], kernel, recurrent_kernel, bias]))
    return {"dx": from_keras_sequence(dx), "da0": da0.T}, dkernel, drecurrent, dbias


def gate_gradients(dkernel, drecurrent, gate, n_a):
    """One gate's Keras kernel and recurrent-kernel gradient columns as our (n_a, n_a + n_x) gradient."""
    columns = slice(gate * n_a, (gate + 1) * n_a)
    return np.concatenate([drecurrent[:, columns].T, dkernel[:, columns].T], axis=1)


def gate_bias(dbias, gate, n_a):
    return dbias[gate * n_a:(gate + 1) * n_a, np.newaxis]


def assert_gradients_match(ours, reference):
    assert sorted(ours) == sorted(reference)
    for name in reference:
        np.testing.assert_allclose(ours[name], reference[name], rtol=0, atol=ATOL,
                                   err_msg=f"{name} differs from tf.GradientTape")


def test_rnn_backward_matches_gradient_tape():
    case = public.make_case(RNN_PARAMETERS, seed=111, **SIZES)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    _, _, caches = w1a1.rnn_forward(x, a0, parameters)
    reference, dkernel, drecurrent, dbias = keras_gradients(rnn_layer(parameters), x, [a0], G)
    reference.update({"dWax": dkernel.T, "dWaa": drecurrent.T, "dba": dbias[:, np.newaxis]})
    assert_gradients_match(w1a1.rnn_backward(G, caches), reference)


def test_lstm_backward_matches_gradient_tape():
    case = public.make_case(LSTM_PARAMETERS, seed=112, **SIZES)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    n_a = a0.shape[0]
    _, _, _, caches = w1a1.lstm_forward(x, a0, parameters)
    reference, dkernel, drecurrent, dbias = keras_gradients(lstm_layer(parameters), x, [a0, np.zeros_like(a0)], G)
    for gate, name in enumerate("ifco"):  # Keras' gate order
        reference[f"dW{name}"] = gate_gradients(dkernel, drecurrent, gate, n_a)
        reference[f"db{name}"] = gate_bias(dbias, gate, n_a)
    assert_gradients_match(w1a1.lstm_backward(G, caches), reference)


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_backward_matches_gradient_tape(reset_after):
    layout = GRU_RESET_AFTER_PARAMETERS if reset_after else GRU_PARAMETERS
    case = public.make_case(layout, seed=113, **SIZES)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    n_a = a0.shape[0]
    _, _, caches = w1a1.gru_forward(x, a0, parameters, reset_after)
    reference, dkernel, drecurrent, dbias = keras_gradients(gru_layer(parameters, reset_after), x, [a0], G)
    input_bias = dbias[0] if reset_after else dbias
    for gate, (name, sign) in enumerate([("u", -1.0), ("r", 1.0), ("c", 1.0)]):  # Keras: z = 1 - u, r, h
        reference[f"dW{name}"] = sign * gate_gradients(dkernel, drecurrent, gate, n_a)
        reference[f"db{name}"] = sign * gate_bias(input_bias, gate, n_a)
    if reset_after:
        reference["dbca"] = gate_bias(dbias[1], 2, n_a)  # the recurrent bias of the candidate
    assert_gradients_match(w1a1.gru_backward(G, caches), reference)
