"""Graded-cell tests for "Building a Recurrent Neural Network, Step by Step".

Forward passes are compared with values sampled from a verified solution (the repository's
tests check those values against Keras' SimpleRNN, LSTM and GRU layers). Backward passes are
compared with numerical gradients of your own forward pass, so they need no stored answers.
"""
import numpy as np

from utils.rnn_utils import (initialize_parameters, RNN_PARAMETERS, LSTM_PARAMETERS, GRU_PARAMETERS, GRU_RESET_AFTER_PARAMETERS,
                             BIRNN_PARAMETERS)
from utils.testing import (GradedTestFailure, assert_close, assert_gradient, assert_keys, assert_raises_value_error,
                           assert_samples, assert_shape, assert_type, passed)

N_X, N_A, N_Y, M, T_X = 3, 5, 2, 4, 3


def make_case(layout, seed, n_x=N_X, n_a=N_A, n_y=N_Y, m=M, T_x=T_X):
    """Random inputs, states, parameters (biases included) and upstream gradients for one test."""
    rng = np.random.RandomState(seed)
    parameters = initialize_parameters(layout, n_x, n_a, n_y, rng)
    for key in parameters:
        if key.startswith("b"):  # non-zero biases, so mistakes with them show
            parameters[key] = rng.standard_normal(parameters[key].shape) * 0.5
    return {"x": rng.standard_normal((n_x, m, T_x)), "a0": rng.standard_normal((n_a, m)),
            "c0": rng.standard_normal((n_a, m)), "parameters": parameters,
            "da": rng.standard_normal((n_a, m, T_x)), "dc": rng.standard_normal((n_a, m))}


def deep_case(seed, layer_sizes=(5, 4), n_x=N_X, n_y=N_Y, m=M, T_x=T_X):
    """Inputs, initial states and parameters of a stacked RNN with the given state sizes."""
    rng = np.random.RandomState(seed)
    parameters, a0, n_in = {}, [], n_x
    for l, n_a in enumerate(layer_sizes, start=1):
        parameters[f"Wax{l}"] = rng.standard_normal((n_a, n_in)) / np.sqrt(n_in)
        parameters[f"Waa{l}"] = rng.standard_normal((n_a, n_a)) / np.sqrt(n_a)
        parameters[f"ba{l}"] = rng.standard_normal((n_a, 1)) * 0.5
        a0.append(rng.standard_normal((n_a, m)))
        n_in = n_a
    parameters["Wya"] = rng.standard_normal((n_y, n_in)) / np.sqrt(n_in)
    parameters["by"] = rng.standard_normal((n_y, 1)) * 0.5
    return {"x": rng.standard_normal((n_x, m, T_x)), "a0": a0, "parameters": parameters}


# (shape, values at sample_indices(shape, 6)) of each output for the cases above, from the
# solution; tests/test_w1a1_against_keras.py checks every entry against Keras' layers.
EXPECTED = {
    'rnn_cell_forward.a_next': ([5, 4], [0.88950207, 0.9236706, -0.98847604, 0.90674953, -0.83383379, 0.54584684]),
    'rnn_cell_forward.yt_pred': ([2, 4], [0.23571267, 0.72087599, 0.42621948, 0.76428733, 0.27912401, 0.79326907]),
    'rnn_forward.a': ([5, 4, 3], [-0.5285492, 0.27486948, 0.23101525, -0.53050773, -0.53123365, 0.14491725]),
    'rnn_forward.y_pred': ([2, 4, 3], [0.73740403, 0.42675905, 0.93958618, 0.17800516, 0.3907977, 0.28669236]),
    'lstm_cell_forward.a_next': ([5, 4], [0.242545, -0.32300709, -0.29028039, 0.38635004, 0.39264493, 0.1588828]),
    'lstm_cell_forward.c_next': ([5, 4], [0.73203317, -1.05322386, -0.51514226, 0.90177334, 0.67907802, 0.44258048]),
    'lstm_cell_forward.yt_pred': ([2, 4], [0.55288125, 0.60560711, 0.52727797, 0.44711875, 0.39439289, 0.4460584]),
    'lstm_forward.a': ([5, 4, 3], [0.21163183, 0.26976264, 0.21445948, -0.01498891, 0.07551668, -0.12880216]),
    'lstm_forward.y': ([2, 4, 3], [0.38541674, 0.32890197, 0.31719046, 0.63465064, 0.64158067, 0.64749839]),
    'lstm_forward.c': ([5, 4, 3], [0.26530162, 0.47759661, 0.71336917, -0.06851774, 0.09305051, -0.61441513]),
    'gru_cell_forward.a_next.reset_after=False': ([5, 4], [-0.82077903, 0.98646691, 0.74898706, 0.36449854, -1.0794186, -0.12966909]),
    'gru_cell_forward.yt_pred.reset_after=False': ([2, 4], [0.68571031, 0.63432163, 0.75728675, 0.31428969, 0.36567837, 0.11132917]),
    'gru_cell_forward.a_next.reset_after=True': ([5, 4], [-0.8287625, 0.97671052, 0.65765559, 0.11774761, -0.89546544, 0.08959509]),
    'gru_cell_forward.yt_pred.reset_after=True': ([2, 4], [0.65436027, 0.54517275, 0.74671105, 0.34563973, 0.45482725, 0.16260238]),
    'gru_forward.a.reset_after=False': ([5, 4, 3], [-0.03004714, 1.34498926, -0.30774319, -0.8513751, -0.59231591, -0.07139229]),
    'gru_forward.y_pred.reset_after=False': ([2, 4, 3], [0.6801207, 0.77476439, 0.80616243, 0.2835065, 0.28994518, 0.30343383]),
    'gru_forward.a.reset_after=True': ([5, 4, 3], [-0.01407711, 1.36975503, -0.38431954, -0.88397614, -0.43705405, -0.2028367]),
    'gru_forward.y_pred.reset_after=True': ([2, 4, 3], [0.6792073, 0.78167339, 0.81580307, 0.28247363, 0.2665854, 0.30462292]),
    'bidirectional_rnn_forward.a': ([10, 4, 3], [0.22564189, 0.95356555, -0.69301818, 0.64382072, -0.99501714, -0.78837653]),
    'bidirectional_rnn_forward.y_pred': ([2, 4, 3], [0.43847419, 0.41783809, 0.36470592, 0.47380032, 0.74118092, 0.81681596]),
    'deep_rnn_forward.a0': ([5, 4, 3], [0.81775828, -0.00820646, -0.5770532, 0.74702987, 0.55962167, -0.09035614]),
    'deep_rnn_forward.a1': ([4, 4, 3], [0.85862886, -0.03795006, 0.93339615, 0.44253334, 0.65620029, 0.79779547]),
    'deep_rnn_forward.y_pred': ([2, 4, 3], [0.92686658, 0.89988741, 0.92683048, 0.2621979, 0.12390177, 0.68300788]),
}


def _check(name, actual, key):
    shape, values = EXPECTED[key]
    assert_samples(actual, tuple(shape), values, name)


def _check_cache_entry(cache, index, expected, what):
    if not (isinstance(cache[index], np.ndarray) and np.array_equal(cache[index], expected)):
        raise GradedTestFailure(f"cache[{index}] should be {what}")


def _check_probabilities(y, name):
    if not np.allclose(np.sum(y, axis=0), 1.0):
        raise GradedTestFailure(f"each column of {name} should sum to 1 (a softmax over the classes)")


def rnn_cell_forward_test(target):
    case = make_case(RNN_PARAMETERS, seed=1)
    xt, a_prev, parameters = case["x"][:, :, 0], case["a0"], case["parameters"]
    result = target(xt, a_prev, parameters)
    assert_type(result, tuple, "the result of rnn_cell_forward")
    a_next, yt_pred, cache = result
    _check("a_next", a_next, "rnn_cell_forward.a_next")
    _check("yt_pred", yt_pred, "rnn_cell_forward.yt_pred")
    _check_probabilities(yt_pred, "yt_pred")
    assert_type(cache, tuple, "cache")
    if len(cache) != 4:
        raise GradedTestFailure("cache should be (a_next, a_prev, xt, parameters)")
    _check_cache_entry(cache, 0, a_next, "a_next")
    _check_cache_entry(cache, 1, a_prev, "a_prev")
    _check_cache_entry(cache, 2, xt, "xt")
    a1, y1, _ = target(xt[:, :1], a_prev[:, :1], parameters)  # one example alone gives the same column
    assert_close(a1, a_next[:, :1], "a_next for a batch of one example")
    assert_raises_value_error(target, xt, a_prev[:4], parameters, mentions="a_prev")
    passed()


def rnn_forward_test(target):
    case = make_case(RNN_PARAMETERS, seed=2)
    a, y_pred, caches = target(case["x"], case["a0"], case["parameters"])
    _check("a", a, "rnn_forward.a")
    _check("y_pred", y_pred, "rnn_forward.y_pred")
    _check_probabilities(y_pred, "y_pred")
    assert_type(caches, tuple, "caches")
    if len(caches) != 2 or len(caches[0]) != T_X or caches[1] is not case["x"]:
        raise GradedTestFailure("caches should be (a list with one cache per time step, x)")
    a1, _, _ = target(case["x"][:, :, :1], case["a0"], case["parameters"])
    assert_close(a1[:, :, 0], a[:, :, 0], "a for a sequence of one step")
    assert_raises_value_error(target, case["x"], case["a0"][:4], case["parameters"], mentions="a0")
    passed()


def lstm_cell_forward_test(target):
    case = make_case(LSTM_PARAMETERS, seed=3)
    xt, a_prev, c_prev, parameters = case["x"][:, :, 0], case["a0"], case["c0"], case["parameters"]
    a_next, c_next, yt_pred, cache = target(xt, a_prev, c_prev, parameters)
    _check("a_next", a_next, "lstm_cell_forward.a_next")
    _check("c_next", c_next, "lstm_cell_forward.c_next")
    _check("yt_pred", yt_pred, "lstm_cell_forward.yt_pred")
    _check_probabilities(yt_pred, "yt_pred")
    assert_type(cache, tuple, "cache")
    if len(cache) != 10:
        raise GradedTestFailure("cache should be (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)")
    for index, expected, what in ((0, a_next, "a_next"), (1, c_next, "c_next"), (2, a_prev, "a_prev"),
                                  (3, c_prev, "c_prev"), (8, xt, "xt")):
        _check_cache_entry(cache, index, expected, what)
    for index, gate in ((4, "ft"), (5, "it"), (7, "ot")):
        if not np.all((cache[index] > 0) & (cache[index] < 1)):
            raise GradedTestFailure(f"cache[{index}] ({gate}) should be a gate: sigmoid values between 0 and 1")
    assert_close(cache[1], cache[4] * c_prev + cache[5] * cache[6], "c_next = ft * c_prev + it * cct")
    assert_raises_value_error(target, xt, a_prev, c_prev[:4], parameters, mentions="c_prev")
    passed()


def lstm_forward_test(target):
    case = make_case(LSTM_PARAMETERS, seed=4)
    a, y, c, caches = target(case["x"], case["a0"], case["parameters"])
    _check("a", a, "lstm_forward.a")
    _check("y", y, "lstm_forward.y")
    _check("c", c, "lstm_forward.c")
    _check_probabilities(y, "y")
    if len(caches) != 2 or len(caches[0]) != T_X:
        raise GradedTestFailure("caches should be (a list with one cache per time step, x)")
    if not np.array_equal(caches[0][0][3], np.zeros_like(case["a0"])):
        raise GradedTestFailure("the memory cell should start at zero (c_prev of the first step)")
    assert_raises_value_error(target, case["x"][:2], case["a0"], case["parameters"], mentions="x has shape")
    passed()


def gru_cell_forward_test(target):
    case = make_case(GRU_RESET_AFTER_PARAMETERS, seed=5)
    xt, a_prev, parameters = case["x"][:, :, 0], case["a0"], case["parameters"]
    for reset_after in (False, True):
        a_next, yt_pred, cache = target(xt, a_prev, parameters, reset_after=reset_after)
        _check("a_next", a_next, f"gru_cell_forward.a_next.reset_after={reset_after}")
        _check("yt_pred", yt_pred, f"gru_cell_forward.yt_pred.reset_after={reset_after}")
        if len(cache) != 8 or cache[-1] != reset_after:
            raise GradedTestFailure("cache should be (a_next, a_prev, ut, rt, cct, xt, parameters, reset_after)")
    without_bca = {k: v for k, v in parameters.items() if k != "bca"}
    assert_raises_value_error(target, xt, a_prev, without_bca, reset_after=True, mentions="bca")
    passed()


def gru_forward_test(target):
    case = make_case(GRU_RESET_AFTER_PARAMETERS, seed=6)
    for reset_after in (False, True):
        a, y_pred, caches = target(case["x"], case["a0"], case["parameters"], reset_after=reset_after)
        _check("a", a, f"gru_forward.a.reset_after={reset_after}")
        _check("y_pred", y_pred, f"gru_forward.y_pred.reset_after={reset_after}")
        if len(caches) != 2 or len(caches[0]) != T_X:
            raise GradedTestFailure("caches should be (a list with one cache per time step, x)")
    passed()


def bidirectional_rnn_forward_test(target):
    case = make_case(BIRNN_PARAMETERS, seed=7)
    a0_b = np.random.RandomState(70).standard_normal(case["a0"].shape)
    a, y_pred = target(case["x"], case["a0"], a0_b, case["parameters"])
    _check("a", a, "bidirectional_rnn_forward.a")
    _check("y_pred", y_pred, "bidirectional_rnn_forward.y_pred")
    _check_probabilities(y_pred, "y_pred")
    # The backward direction's last step (t = T_x) has read only x<T_x>, whatever came before it.
    x_changed = case["x"].copy()
    x_changed[:, :, :-1] += 1.0
    a_changed, _ = target(x_changed, case["a0"], a0_b, case["parameters"])
    assert_close(a_changed[N_A:, :, -1], a[N_A:, :, -1], "the backward states at the last step")
    assert_raises_value_error(target, case["x"], case["a0"], a0_b[:2], case["parameters"], mentions="a0_b")
    passed()


def deep_rnn_forward_test(target):
    case = deep_case(seed=8)
    a, y_pred = target(case["x"], case["a0"], case["parameters"])
    assert_type(a, list, "a")
    if len(a) != 2:
        raise GradedTestFailure(f"a should hold one array per layer (2), got {len(a)}")
    _check("a[0]", a[0], "deep_rnn_forward.a0")
    _check("a[1]", a[1], "deep_rnn_forward.a1")
    _check("y_pred", y_pred, "deep_rnn_forward.y_pred")
    assert_raises_value_error(target, case["x"], case["a0"][:1] + [case["a0"][1][:2]], case["parameters"],
                              mentions="a0[1]")
    passed()


# --- Backward passes: compared with numerical gradients of your forward pass ------------------

def _grads_match(gradients, loss, arrays):
    for name, array in arrays.items():
        assert_gradient(gradients["d" + name], loss, array, "d" + name)


def rnn_cell_backward_test(target, rnn_cell_forward):
    case = make_case(RNN_PARAMETERS, seed=11)
    xt, a_prev, parameters = case["x"][:, :, 0].copy(), case["a0"], case["parameters"]
    G = case["da"][:, :, 0]
    _, _, cache = rnn_cell_forward(xt, a_prev, parameters)
    gradients = target(G, cache)
    assert_keys(gradients, ["dxt", "da_prev", "dWax", "dWaa", "dba"], "gradients")

    def loss():
        return np.sum(G * rnn_cell_forward(xt, a_prev, parameters)[0])
    _grads_match(gradients, loss,
                 {"xt": xt, "a_prev": a_prev, "Wax": parameters["Wax"], "Waa": parameters["Waa"], "ba": parameters["ba"]})
    assert_raises_value_error(target, G[:2], cache, mentions="da_next")
    passed()


def rnn_backward_test(target, rnn_forward):
    case = make_case(RNN_PARAMETERS, seed=12)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    _, _, caches = rnn_forward(x, a0, parameters)
    gradients = target(G, caches)
    assert_keys(gradients, ["dx", "da0", "dWax", "dWaa", "dba"], "gradients")

    def loss():
        return np.sum(G * rnn_forward(x, a0, parameters)[0])
    _grads_match(gradients, loss, {"x": x, "a0": a0, "Wax": parameters["Wax"], "Waa": parameters["Waa"],
                                   "ba": parameters["ba"]})
    assert_raises_value_error(target, G[:, :, :2], caches, mentions="da")
    passed()


def lstm_cell_backward_test(target, lstm_cell_forward):
    case = make_case(LSTM_PARAMETERS, seed=13)
    xt, a_prev, c_prev, parameters = case["x"][:, :, 0].copy(), case["a0"], case["c0"], case["parameters"]
    Ga, Gc = case["da"][:, :, 0], case["dc"]
    _, _, _, cache = lstm_cell_forward(xt, a_prev, c_prev, parameters)
    gradients = target(Ga, Gc, cache)
    weights = ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo"]
    assert_keys(gradients, ["dxt", "da_prev", "dc_prev"] + ["d" + k for k in weights], "gradients")

    def loss():
        a_next, c_next, _, _ = lstm_cell_forward(xt, a_prev, c_prev, parameters)
        return np.sum(Ga * a_next) + np.sum(Gc * c_next)
    _grads_match(gradients, loss, {"xt": xt, "a_prev": a_prev, "c_prev": c_prev,
                                   **{k: parameters[k] for k in weights}})
    assert_raises_value_error(target, Ga, Gc[:2], cache, mentions="dc_next")
    passed()


def lstm_backward_test(target, lstm_forward):
    case = make_case(LSTM_PARAMETERS, seed=14)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    _, _, _, caches = lstm_forward(x, a0, parameters)
    gradients = target(G, caches)
    weights = ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo"]
    assert_keys(gradients, ["dx", "da0"] + ["d" + k for k in weights], "gradients")

    def loss():
        return np.sum(G * lstm_forward(x, a0, parameters)[0])
    _grads_match(gradients, loss, {"x": x, "a0": a0, **{k: parameters[k] for k in weights}})
    passed()


def _gru_backward_check(target, forward, inputs, parameters, G):
    """Both GRU variants: gradient keys, and every gradient against the numerical gradient of `forward`."""
    (input_name, x), (state_name, a) = inputs.items()
    for reset_after in (False, True):
        weights = ["Wu", "bu", "Wr", "br", "Wc", "bc"] + (["bca"] if reset_after else [])
        _, _, caches = forward(x, a, parameters, reset_after=reset_after)
        gradients = target(G, caches)
        assert_keys(gradients, ["d" + input_name, "d" + state_name] + ["d" + k for k in weights],
                    f"gradients (reset_after={reset_after})")

        def loss():
            return np.sum(G * forward(x, a, parameters, reset_after=reset_after)[0])
        _grads_match(gradients, loss, {**inputs, **{k: parameters[k] for k in weights}})
    passed()


def gru_cell_backward_test(target, gru_cell_forward):
    case = make_case(GRU_RESET_AFTER_PARAMETERS, seed=15)
    inputs = {"xt": case["x"][:, :, 0].copy(), "a_prev": case["a0"]}
    _gru_backward_check(target, gru_cell_forward, inputs, case["parameters"], case["da"][:, :, 0])


def gru_backward_test(target, gru_forward):
    case = make_case(GRU_RESET_AFTER_PARAMETERS, seed=16)
    _gru_backward_check(target, gru_forward, {"x": case["x"], "a0": case["a0"]}, case["parameters"], case["da"])
