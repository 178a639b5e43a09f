"""Graded-cell tests for "Building a Recurrent Neural Network, Step by Step".

Forward passes are compared with values sampled from a verified solution (the repository's
tests check those values against Keras' SimpleRNN, LSTM and GRU layers), after checks of
properties every correct answer has (a state depends on a0, on earlier inputs and not on later
ones; a stack of layers is each layer run on the one below). Backward passes are compared with
numerical gradients of your own forward pass, so they need no stored answers.
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


# --- Assertion helpers: the learner-facing message first, then what was found ------------------

def _fail(message):
    raise GradedTestFailure(message)


def _with_hint(check, name, hint):
    """Run `check()`; if it fails on values, say what differs and where to look, then the details."""
    try:
        check()
    except GradedTestFailure as failure:
        raise GradedTestFailure(f"{name} differs — {hint}. ({failure})") from None


def _check(name, actual, key, hint):
    """Shape first (a plain message), then the stored values, with a hint at the likely cause."""
    shape, values = EXPECTED[key]
    assert_shape(actual, tuple(shape), name)
    _with_hint(lambda: assert_samples(actual, tuple(shape), values, name), name, hint)


def _same(actual, expected):
    return np.shape(actual) == np.shape(expected) and np.allclose(actual, expected, rtol=1e-7, atol=1e-9)


def _check_cache_entry(cache, index, expected, what):
    if not (isinstance(cache[index], np.ndarray) and np.array_equal(cache[index], expected)):
        raise GradedTestFailure(f"cache[{index}] should be {what}")


def _check_probabilities(y, name):
    if not np.allclose(np.sum(y, axis=0), 1.0):
        raise GradedTestFailure(f"each column of {name} should sum to 1: a softmax over the n_y classes (axis 0), "
                                "one example (column) at a time")


def _check_time_steps(run, x, a0, name="a"):
    """Properties of any forward pass in time: `run(x, a0)` returns the states, shape (n_a, m, T_x)."""
    a = run(x, a0)
    T_x = x.shape[2]
    assert_shape(a, (a0.shape[0], a0.shape[1], T_x), name)
    for t in range(T_x):
        if not np.any(a[:, :, t]):
            _fail(f"{name}[:, :, {t}] is still all zeros — the loop must fill every step, t = 0, 1, ..., T_x - 1")
    if _same(run(x, a0 + 0.5)[:, :, 0], a[:, :, 0]):
        _fail(f"{name} does not depend on a0 — the first step must start from the initial state a0")
    for k in range(1, T_x):
        if not _same(run(x[:, :, :k], a0), a[:, :, :k]):
            _fail(f"the first {k} step(s) of {name} change when the later inputs are removed — walk forward in "
                  "time (t = 0, 1, ..., T_x - 1): step t reads x[:, :, t] and the state of step t-1")
    x_first = x.copy()
    x_first[:, :, 0] += 1.0
    if _same(run(x_first, a0)[:, :, -1], a[:, :, -1]):
        _fail(f"the last step of {name} does not depend on the first input — start at t = 0 and pass each "
              "step's new state on to the next step (a0 feeds only the first step)")
    x_last = x.copy()
    x_last[:, :, -1] += 1.0
    if _same(run(x_last, a0)[:, :, -1], a[:, :, -1]):
        _fail(f"the last step of {name} does not depend on the last input — step t reads x[:, :, t]")


def _grads_match(gradients, loss, arrays, hints, context=""):
    """Every gradient against the numerical gradient of `loss`, with a hint at what it depends on."""
    for name, array in arrays.items():
        key = "d" + name
        _with_hint(lambda: assert_gradient(gradients[key], loss, array, key), key + context, hints[key])


# --- Forward passes ------------------------------------------------------------------------

RNN_CELL_HINTS = {
    "a_next": "check the activation (tanh), that both products Wax @ xt and Waa @ a_prev are added with the "
              "bias ba, and that no weight is transposed",
    "yt_pred": "it is the softmax of Wya times the NEW state a_next, plus the bias by",
}


def rnn_cell_forward_test(target):
    case = make_case(RNN_PARAMETERS, seed=1)
    xt, a_prev, parameters = case["x"][:, :, 0], case["a0"], case["parameters"]
    result = target(xt, a_prev, parameters)
    assert_type(result, tuple, "the result of rnn_cell_forward")
    a_next, yt_pred, cache = result
    _check("a_next", a_next, "rnn_cell_forward.a_next", RNN_CELL_HINTS["a_next"])
    assert_shape(yt_pred, (N_Y, M), "yt_pred")
    _check_probabilities(yt_pred, "yt_pred")
    _check("yt_pred", yt_pred, "rnn_cell_forward.yt_pred", RNN_CELL_HINTS["yt_pred"])
    assert_type(cache, tuple, "cache")
    if len(cache) != 4:
        raise GradedTestFailure("cache should be (a_next, a_prev, xt, parameters)")
    _check_cache_entry(cache, 0, a_next, "a_next")
    _check_cache_entry(cache, 1, a_prev, "a_prev")
    _check_cache_entry(cache, 2, xt, "xt")
    a1, y1, _ = target(xt[:, :1], a_prev[:, :1], parameters)  # one example alone gives the same column
    assert_close(a1, a_next[:, :1], "a_next for a batch of one example")
    assert_close(y1, yt_pred[:, :1], "yt_pred for a batch of one example (normalise each column on its own)")
    assert_raises_value_error(target, xt, a_prev[:4], parameters, mentions="a_prev")
    passed()


SEQUENCE_HINT = ("check that each step reads x[:, :, t] and the state of the step before, starting from a0, "
                 "and stores its results at index t")


def rnn_forward_test(target):
    case = make_case(RNN_PARAMETERS, seed=2)
    x, a0, parameters = case["x"], case["a0"], case["parameters"]
    a, y_pred, caches = target(x, a0, parameters)
    _check_time_steps(lambda x_, a0_: target(x_, a0_, parameters)[0], x, a0)
    _check("a", a, "rnn_forward.a", SEQUENCE_HINT)
    _check("y_pred", y_pred, "rnn_forward.y_pred", "store each step's yt_pred at y_pred[:, :, t]")
    _check_probabilities(y_pred, "y_pred")
    assert_type(caches, tuple, "caches")
    if len(caches) != 2 or len(caches[0]) != T_X or caches[1] is not x:
        raise GradedTestFailure("caches should be (a list with one cache per time step, x)")
    assert_raises_value_error(target, x, a0[:4], parameters, mentions="a0")
    passed()


LSTM_CELL_HINTS = {
    "c_next": "c_next = ft * c_prev + it * cct: the forget gate ft scales the old memory, the update gate it "
              "scales the candidate; gates use sigmoid, the candidate tanh, and every gate its own bias",
    "a_next": "a_next is the output gate ot times tanh of the NEW memory c_next (ot uses sigmoid)",
    "yt_pred": "it is the softmax of Wy @ a_next + by",
}


def lstm_cell_forward_test(target):
    case = make_case(LSTM_PARAMETERS, seed=3)
    xt, a_prev, c_prev, parameters = case["x"][:, :, 0], case["a0"], case["c0"], case["parameters"]
    a_next, c_next, yt_pred, cache = target(xt, a_prev, c_prev, parameters)
    assert_type(cache, tuple, "cache")
    if len(cache) != 10:
        raise GradedTestFailure("cache should be (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)")
    for index, gate in ((4, "ft"), (5, "it"), (7, "ot")):
        if not np.all((cache[index] > 0) & (cache[index] < 1)):
            raise GradedTestFailure(f"cache[{index}] ({gate}) should be a gate: sigmoid values between 0 and 1")
    if not np.all(np.abs(cache[6]) < 1) or np.all(cache[6] > 0):
        raise GradedTestFailure("cache[6] (cct) should be the candidate memory: tanh values between -1 and 1")
    _check("c_next", c_next, "lstm_cell_forward.c_next", LSTM_CELL_HINTS["c_next"])
    _check("a_next", a_next, "lstm_cell_forward.a_next", LSTM_CELL_HINTS["a_next"])
    _check_probabilities(yt_pred, "yt_pred")
    _check("yt_pred", yt_pred, "lstm_cell_forward.yt_pred", LSTM_CELL_HINTS["yt_pred"])
    for index, expected, what in ((0, a_next, "a_next"), (1, c_next, "c_next"), (2, a_prev, "a_prev"),
                                  (3, c_prev, "c_prev"), (8, xt, "xt")):
        _check_cache_entry(cache, index, expected, what)
    assert_close(cache[1], cache[4] * c_prev + cache[5] * cache[6], "c_next = ft * c_prev + it * cct")
    assert_raises_value_error(target, xt, a_prev, c_prev[:4], parameters, mentions="c_prev")
    passed()


def lstm_forward_test(target):
    case = make_case(LSTM_PARAMETERS, seed=4)
    x, a0, parameters = case["x"], case["a0"], case["parameters"]
    a, y, c, caches = target(x, a0, parameters)
    if len(caches) != 2 or len(caches[0]) != T_X:
        raise GradedTestFailure("caches should be (a list with one cache per time step, x)")
    if not np.array_equal(caches[0][0][3], np.zeros_like(a0)):
        raise GradedTestFailure("the memory cell should start at zero (c_prev of the first step)")
    _check_time_steps(lambda x_, a0_: target(x_, a0_, parameters)[0], x, a0)
    _check("a", a, "lstm_forward.a", SEQUENCE_HINT + "; the memory is passed on from step to step like the state")
    _check("c", c, "lstm_forward.c", "the memory starts at zero and each step's c_next is passed to the next step")
    _check("y", y, "lstm_forward.y", "store each step's prediction at y[:, :, t]")
    _check_probabilities(y, "y")
    assert_raises_value_error(target, x[:2], a0, parameters, mentions="x has shape")
    passed()


GRU_CELL_HINT = ("check a_next = ut * cct + (1 - ut) * a_prev (the update gate ut moves the state towards the "
                 "candidate), the gates' sigmoid and the candidate's tanh, and where the reset gate rt acts: "
                 "on a_prev before Wca when reset_after is False, on Wca @ a_prev + bca (not on the input's term) "
                 "when it is True")


def gru_cell_forward_test(target):
    case = make_case(GRU_RESET_AFTER_PARAMETERS, seed=5)
    xt, a_prev, parameters = case["x"][:, :, 0], case["a0"], case["parameters"]
    for reset_after in (False, True):
        a_next, yt_pred, cache = target(xt, a_prev, parameters, reset_after=reset_after)
        if len(cache) != 8 or cache[-1] != reset_after:
            raise GradedTestFailure("cache should be (a_next, a_prev, ut, rt, cct, xt, parameters, reset_after)")
        _check(f"a_next (reset_after={reset_after})", a_next, f"gru_cell_forward.a_next.reset_after={reset_after}",
               GRU_CELL_HINT)
        _check(f"yt_pred (reset_after={reset_after})", yt_pred,
               f"gru_cell_forward.yt_pred.reset_after={reset_after}", "it is the softmax of Wy @ a_next + by")
    without_bca = {k: v for k, v in parameters.items() if k != "bca"}
    assert_raises_value_error(target, xt, a_prev, without_bca, reset_after=True, mentions="bca")
    passed()


def gru_forward_test(target):
    case = make_case(GRU_RESET_AFTER_PARAMETERS, seed=6)
    x, a0, parameters = case["x"], case["a0"], case["parameters"]
    for reset_after in (False, True):
        a, y_pred, caches = target(x, a0, parameters, reset_after=reset_after)
        if len(caches) != 2 or len(caches[0]) != T_X:
            raise GradedTestFailure("caches should be (a list with one cache per time step, x)")
        _check_time_steps(lambda x_, a0_: target(x_, a0_, parameters, reset_after=reset_after)[0], x, a0,
                          f"a (reset_after={reset_after})")
        _check(f"a (reset_after={reset_after})", a, f"gru_forward.a.reset_after={reset_after}",
               SEQUENCE_HINT + "; pass reset_after on to gru_cell_forward")
        _check(f"y_pred (reset_after={reset_after})", y_pred, f"gru_forward.y_pred.reset_after={reset_after}",
               "store each step's prediction at y_pred[:, :, t]")
    passed()


def bidirectional_rnn_forward_test(target):
    case = make_case(BIRNN_PARAMETERS, seed=7)
    x, a0_f, parameters = case["x"], case["a0"], case["parameters"]
    a0_b = np.random.RandomState(70).standard_normal(a0_f.shape)
    a, y_pred = target(x, a0_f, a0_b, parameters)
    assert_shape(a, (2 * N_A, M, T_X), "a")
    assert_shape(y_pred, (N_Y, M, T_X), "y_pred")
    forward, backward = a[:N_A], a[N_A:]
    a_f_changed, _ = target(x, a0_f + 0.5, a0_b, parameters)
    a_b_changed, _ = target(x, a0_f, a0_b + 0.5, parameters)
    if _same(a_b_changed[N_A:], backward):
        _fail("the backward states a[n_a:] do not depend on a0_b — the backward direction starts from a0_b "
              "(and a[:n_a] holds the forward states, a[n_a:] the backward ones)")
    if not _same(a_b_changed[:N_A], forward) or not _same(a_f_changed[N_A:], backward):
        _fail("the two directions are mixed up — the forward states a[:n_a] start from a0_f and use the _f "
              "weights, the backward states a[n_a:] start from a0_b and use the _b weights; stack forward first")
    x_first, x_last = x.copy(), x.copy()
    x_first[:, :, 0] += 1.0
    x_last[:, :, -1] += 1.0
    if _same(target(x_first, a0_f, a0_b, parameters)[0][:N_A, :, -1], forward[:, :, -1]):
        _fail("the forward states at the last step do not depend on the first input — the forward direction "
              "passes each step's new state on to the next step (a0_f feeds only the first step)")
    if _same(target(x_last, a0_f, a0_b, parameters)[0][N_A:, :, 0], backward[:, :, 0]):
        _fail("the backward states at the first step do not depend on the last input — the backward direction "
              "passes each step's new state on to the step before (a0_b feeds only the last step)")
    for k in range(1, T_X):
        head, _ = target(x[:, :, :k], a0_f, a0_b, parameters)
        if not _same(head[:N_A], forward[:, :, :k]):
            _fail(f"the forward states of the first {k} step(s) change when the later inputs are removed — the "
                  "forward direction walks from the first step to the last, carrying its state")
        tail, _ = target(x[:, :, k:], a0_f, a0_b, parameters)
        if not _same(tail[N_A:], backward[:, :, k:]):
            _fail(f"the backward states from step {k} on change when the earlier inputs are removed — the "
                  "backward direction starts at the last step from a0_b, walks to the first step carrying its "
                  "state, and stores the state of step t at index t")
    _check("a", a, "bidirectional_rnn_forward.a",
           "check each direction's weights and biases (Wax_f, Waa_f, ba_f forward; Wax_b, Waa_b, ba_b backward)")
    _check_probabilities(y_pred, "y_pred")
    _check("y_pred", y_pred, "bidirectional_rnn_forward.y_pred",
           "it is the softmax of Wya @ a + by at every step, with a = [forward states; backward states]")
    assert_raises_value_error(target, x, a0_f, a0_b[:2], parameters, mentions="a0_b")
    passed()


def _one_layer(parameters, l):
    """Layer l of a stacked RNN's parameters, renamed as the only layer of a stack."""
    return {"Wax1": parameters[f"Wax{l}"], "Waa1": parameters[f"Waa{l}"], "ba1": parameters[f"ba{l}"],
            "Wya": parameters["Wya"], "by": parameters["by"]}


def deep_rnn_forward_test(target):
    # Two layers of the input's size, so wiring mistakes run: a stack must equal its layers run one by one.
    case = deep_case(seed=9, layer_sizes=(4, 4), n_x=4)
    x, a0, parameters = case["x"], case["a0"], case["parameters"]
    a, y_pred = target(x, a0, parameters)
    assert_type(a, list, "a")
    if len(a) != 2:
        raise GradedTestFailure(f"a should hold one array per layer (2 here), got {len(a)}: loop over l = 1..L")
    layer1, _ = target(x, a0[:1], _one_layer(parameters, 1))
    layer2, y_top = target(layer1[0], a0[1:], _one_layer(parameters, 2))
    if not _same(a[0], layer1[0]):
        _fail("a[0] differs from layer 1 run alone — the first layer reads x with Wax1, Waa1, ba1 and starts "
              "from a0[0]")
    if not _same(a[1], layer2[0]):
        _fail("a[1] is not layer 2 run on layer 1's states — layer l reads the whole sequence of states of the "
              "layer below (not x), with its own Wax{l}, Waa{l}, ba{l}, and starts from a0[l-1]")
    if not _same(y_pred, y_top):
        _fail("y_pred should come from the top layer's states (Wya @ a[-1] + by, softmax at every step)")

    case = deep_case(seed=8)
    a, y_pred = target(case["x"], case["a0"], case["parameters"])
    if len(a) != 2:
        raise GradedTestFailure(f"a should hold one array per layer (2), got {len(a)}")
    hint = ("each step of a layer is tanh(Wax{l} @ input + Waa{l} @ previous state + ba{l}), carrying the "
            "state from step to step")
    _check("a[0]", a[0], "deep_rnn_forward.a0", hint)
    _check("a[1]", a[1], "deep_rnn_forward.a1", hint)
    _check("y_pred", y_pred, "deep_rnn_forward.y_pred", "it is the softmax of Wya @ (top layer's states) + by")
    assert_raises_value_error(target, case["x"], case["a0"][:1] + [case["a0"][1][:2]], case["parameters"],
                              mentions="a0[1]")
    passed()


# --- Backward passes: compared with numerical gradients of your forward pass ------------------

RNN_CELL_GRAD_HINTS = {
    "dxt": "go through tanh first (dz = (1 - a_next**2) * da_next; a_next is already tanh(z)), then through "
           "the transposed input weights",
    "da_prev": "go through tanh first, then through the transposed recurrent weights Waa",
    "dWax": "it pairs the gradient through tanh with the input xt",
    "dWaa": "it pairs the gradient through tanh with the previous state a_prev",
    "dba": "sum the gradient through tanh over the examples (axis=1, keepdims=True), don't average it",
}
SEQUENCE_GRAD_HINT = ("walk from the last step to the first, feed each cell da[:, :, t] plus the gradient flowing "
                      "back from step t+1, add up (+=) the weight gradients of all steps, and return as da0 "
                      "what flows out of the first step")


def rnn_cell_backward_test(target, rnn_cell_forward):
    case = make_case(RNN_PARAMETERS, seed=11)
    xt, a_prev, parameters = case["x"][:, :, 0].copy(), case["a0"], case["parameters"]
    G = case["da"][:, :, 0]
    _, _, cache = rnn_cell_forward(xt, a_prev, parameters)
    gradients = target(G, cache)
    assert_keys(gradients, ["dxt", "da_prev", "dWax", "dWaa", "dba"], "gradients")

    def loss():
        return np.sum(G * rnn_cell_forward(xt, a_prev, parameters)[0])
    _grads_match(gradients, loss, {"xt": xt, "a_prev": a_prev, "Wax": parameters["Wax"], "Waa": parameters["Waa"],
                                   "ba": parameters["ba"]}, RNN_CELL_GRAD_HINTS)
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
    arrays = {"x": x, "a0": a0, "Wax": parameters["Wax"], "Waa": parameters["Waa"], "ba": parameters["ba"]}
    _grads_match(gradients, loss, arrays, {"d" + k: SEQUENCE_GRAD_HINT for k in arrays})
    assert_raises_value_error(target, G[:, :, :2], caches, mentions="da")
    passed()


LSTM_WEIGHTS = ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo"]
_MEMORY_HINT = ("the memory's gradient dc is dc_next plus the path through a_next = ot * tanh(c_next), "
                "da_next * ot * (1 - tanh(c_next)**2)")
_LSTM_GATE_HINTS = {
    "f": "the forget gate multiplies c_prev; its gradient is dc * c_prev times the sigmoid derivative "
         "ft * (1 - ft), where " + _MEMORY_HINT,
    "i": "the update gate multiplies cct; its gradient is dc * cct times it * (1 - it), where " + _MEMORY_HINT,
    "c": "the candidate multiplies it and went through tanh: dc * it * (1 - cct**2), where " + _MEMORY_HINT,
    "o": "the output gate multiplies tanh(c_next); its gradient is da_next * tanh(c_next) times ot * (1 - ot)",
}
LSTM_CELL_GRAD_HINTS = {
    "dxt": "add the four gates' terms through their transposed weights, then take the rows of xt (after the "
           "first n_a); " + _MEMORY_HINT,
    "da_prev": "add the four gates' terms through their transposed weights (forget, update, candidate AND "
               "output), then take the first n_a rows; " + _MEMORY_HINT,
    "dc_prev": "the old memory reached c_next only through the forget gate: dc times ft; " + _MEMORY_HINT,
    **{f"dW{g}": hint + "; pair it with concat = [a_prev; xt]" for g, hint in _LSTM_GATE_HINTS.items()},
    **{f"db{g}": hint + "; sum it over the examples (axis=1, keepdims=True)" for g, hint in _LSTM_GATE_HINTS.items()},
}


def lstm_cell_backward_test(target, lstm_cell_forward):
    case = make_case(LSTM_PARAMETERS, seed=13)
    xt, a_prev, c_prev, parameters = case["x"][:, :, 0].copy(), case["a0"], case["c0"], case["parameters"]
    Ga, Gc = case["da"][:, :, 0], case["dc"]
    _, _, _, cache = lstm_cell_forward(xt, a_prev, c_prev, parameters)
    gradients = target(Ga, Gc, cache)
    assert_keys(gradients, ["dxt", "da_prev", "dc_prev"] + ["d" + k for k in LSTM_WEIGHTS], "gradients")

    def loss():
        a_next, c_next, _, _ = lstm_cell_forward(xt, a_prev, c_prev, parameters)
        return np.sum(Ga * a_next) + np.sum(Gc * c_next)
    _grads_match(gradients, loss, {**{k: parameters[k] for k in LSTM_WEIGHTS},
                                   "xt": xt, "a_prev": a_prev, "c_prev": c_prev}, LSTM_CELL_GRAD_HINTS)
    assert_raises_value_error(target, Ga, Gc[:2], cache, mentions="dc_next")
    passed()


def lstm_backward_test(target, lstm_forward):
    case = make_case(LSTM_PARAMETERS, seed=14)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    _, _, _, caches = lstm_forward(x, a0, parameters)
    gradients = target(G, caches)
    assert_keys(gradients, ["dx", "da0"] + ["d" + k for k in LSTM_WEIGHTS], "gradients")

    def loss():
        return np.sum(G * lstm_forward(x, a0, parameters)[0])
    arrays = {"x": x, "a0": a0, **{k: parameters[k] for k in LSTM_WEIGHTS}}
    hint = (SEQUENCE_GRAD_HINT + "; the memory's gradient is carried back separately (dc_prev) and gets "
            "nothing from above")
    _grads_match(gradients, loss, arrays, {"d" + k: hint for k in arrays})
    passed()


_GRU_STATE_HINT = ("a_prev reaches a_next directly (times 1 - ut), through the candidate (via the reset gate) "
                   "and through both gates: add all of these terms")
_GRU_GATE_HINTS = {
    "u": "a_next = ut * cct + (1 - ut) * a_prev, so the update gate's gradient is da_next * (cct - a_prev) "
         "times ut * (1 - ut)",
    "r": "the reset gate scales a_prev (reset_after=False) or Wca @ a_prev + bca (reset_after=True); go back "
         "through it from the candidate's pre-activation, then times rt * (1 - rt)",
    "c": "the candidate gets da_next * ut, then goes through tanh (1 - cct**2); with reset_after=True the "
         "columns of Wca also carry the reset gate rt",
}
GRU_CELL_GRAD_HINTS = {
    "dxt": "xt reaches a_next through the candidate and through both gates: add all of these terms",
    "da_prev": _GRU_STATE_HINT,
    **{f"dW{g}": hint for g, hint in _GRU_GATE_HINTS.items()},
    **{f"db{g}": hint + "; sum it over the examples (axis=1, keepdims=True)" for g, hint in _GRU_GATE_HINTS.items()},
    "dbca": "with reset_after=True, bca is scaled by the reset gate: the candidate's gradient times rt, summed "
            "over the examples",
}


def _gru_backward_check(target, forward, inputs, parameters, G, hints):
    """Both GRU variants: gradient keys, and every gradient against the numerical gradient of `forward`."""
    (input_name, x), (state_name, a) = inputs.items()
    for reset_after in (False, True):
        weights = ["Wc", "bc", "Wu", "bu", "Wr", "br"] + (["bca"] if reset_after else [])
        _, _, caches = forward(x, a, parameters, reset_after=reset_after)
        gradients = target(G, caches)
        assert_keys(gradients, ["d" + input_name, "d" + state_name] + ["d" + k for k in weights],
                    f"gradients (reset_after={reset_after})")

        def loss():
            return np.sum(G * forward(x, a, parameters, reset_after=reset_after)[0])
        _grads_match(gradients, loss, {**{k: parameters[k] for k in weights}, **inputs}, hints,
                     f" (reset_after={reset_after})")
    passed()


def gru_cell_backward_test(target, gru_cell_forward):
    case = make_case(GRU_RESET_AFTER_PARAMETERS, seed=15)
    inputs = {"xt": case["x"][:, :, 0].copy(), "a_prev": case["a0"]}
    _gru_backward_check(target, gru_cell_forward, inputs, case["parameters"], case["da"][:, :, 0],
                        GRU_CELL_GRAD_HINTS)


def gru_backward_test(target, gru_forward):
    case = make_case(GRU_RESET_AFTER_PARAMETERS, seed=16)
    names = ["dx", "da0", "dWu", "dbu", "dWr", "dbr", "dWc", "dbc", "dbca"]
    _gru_backward_check(target, gru_forward, {"x": case["x"], "a0": case["a0"]}, case["parameters"], case["da"],
                        {name: SEQUENCE_GRAD_HINT for name in names})
