"""W1A1's backward passes against finite differences, plus shapes, bad input and input safety.

Every backward function (cells and whole sequences, both GRU variants) must return exactly one
gradient per input and parameter, each within a relative error of 1e-7 of the central-difference
gradient of the matching forward pass (loss = sum(G * states), float64). Hypothesis repeats the
checks over random small shapes, with derandomized examples so runs are repeatable.
"""
import copy
import re
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from utils.notebook_tools import load_definitions, load_public_tests
from utils.gradient_check import numerical_gradient, relative_error
from utils.rnn_utils import BIRNN_PARAMETERS, GRU_PARAMETERS, GRU_RESET_AFTER_PARAMETERS, LSTM_PARAMETERS, RNN_PARAMETERS

NB = (Path(__file__).resolve().parents[1]
      / "Week-1/W1A1_RNN_Step_by_Step/Building_a_Recurrent_Neural_Network_Step_by_Step.ipynb")
w1a1 = load_definitions(NB)
public = load_public_tests(NB)

TOLERANCE = 1e-7
# Central differences (eps 1e-6) of a loss of order 1 carry about 1e-10 of rounding per entry, so the
# relative error of a gradient whose norm is below ~1e-2 measures that noise, not the backward pass.
# Random shapes and seeds do produce such gradients (e.g. dbr = 5e-4 with n_a = m = T_x = 1); there
# the property test asks for absolute agreement instead. The fixed-seed test has no such exemption.
NOISE_FLOOR_NORM, NOISE_FLOOR_ATOL = 1e-2, 1e-8
SIZES = {"n_x": 3, "n_a": 4, "n_y": 2, "m": 3, "T_x": 4}
RNN_WEIGHTS = ("Wax", "Waa", "ba")
LSTM_WEIGHTS = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo")

random_sizes = st.fixed_dictionaries({name: st.integers(1, 3) for name in ("n_x", "n_a", "n_y", "m", "T_x")})
random_seeds = st.integers(0, 2 ** 32 - 1)
# Few, tiny, repeatable examples; no example database written into the repository.
property_settings = settings(max_examples=25, deadline=None, derandomize=True, database=None)


def gru_layout(reset_after):
    return GRU_RESET_AFTER_PARAMETERS if reset_after else GRU_PARAMETERS


def gru_weights(reset_after):
    return ("Wu", "bu", "Wr", "br", "Wc", "bc") + (("bca",) if reset_after else ())


def pick(parameters, names):
    return {name: parameters[name] for name in names}


def first_input(case):
    """x<1> as an array of its own: numerical_gradient perturbs in place through a flat view."""
    return case["x"][:, :, 0].copy()


# --- Gradient problems: (analytic gradients, loss, {name: array whose gradient is "d" + name}) ----

def rnn_cell_problem(seed, **sizes):
    case = public.make_case(RNN_PARAMETERS, seed, **sizes)
    xt, a_prev, parameters, G = first_input(case), case["a0"], case["parameters"], case["da"][:, :, 0]
    _, _, cache = w1a1.rnn_cell_forward(xt, a_prev, parameters)

    def loss():
        return np.sum(G * w1a1.rnn_cell_forward(xt, a_prev, parameters)[0])
    return (w1a1.rnn_cell_backward(G, cache), loss,
            {"xt": xt, "a_prev": a_prev, **pick(parameters, RNN_WEIGHTS)})


def rnn_problem(seed, **sizes):
    case = public.make_case(RNN_PARAMETERS, seed, **sizes)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    _, _, caches = w1a1.rnn_forward(x, a0, parameters)

    def loss():
        return np.sum(G * w1a1.rnn_forward(x, a0, parameters)[0])
    return w1a1.rnn_backward(G, caches), loss, {"x": x, "a0": a0, **pick(parameters, RNN_WEIGHTS)}


def lstm_cell_problem(seed, **sizes):
    case = public.make_case(LSTM_PARAMETERS, seed, **sizes)
    xt, a_prev, c_prev, parameters = first_input(case), case["a0"], case["c0"], case["parameters"]
    Ga, Gc = case["da"][:, :, 0], case["dc"]
    _, _, _, cache = w1a1.lstm_cell_forward(xt, a_prev, c_prev, parameters)

    def loss():
        a_next, c_next, _, _ = w1a1.lstm_cell_forward(xt, a_prev, c_prev, parameters)
        return np.sum(Ga * a_next) + np.sum(Gc * c_next)
    return (w1a1.lstm_cell_backward(Ga, Gc, cache), loss,
            {"xt": xt, "a_prev": a_prev, "c_prev": c_prev, **pick(parameters, LSTM_WEIGHTS)})


def lstm_problem(seed, **sizes):
    case = public.make_case(LSTM_PARAMETERS, seed, **sizes)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    _, _, _, caches = w1a1.lstm_forward(x, a0, parameters)

    def loss():
        return np.sum(G * w1a1.lstm_forward(x, a0, parameters)[0])
    return w1a1.lstm_backward(G, caches), loss, {"x": x, "a0": a0, **pick(parameters, LSTM_WEIGHTS)}


def gru_cell_problem(seed, reset_after, **sizes):
    case = public.make_case(gru_layout(reset_after), seed, **sizes)
    xt, a_prev, parameters, G = first_input(case), case["a0"], case["parameters"], case["da"][:, :, 0]
    _, _, cache = w1a1.gru_cell_forward(xt, a_prev, parameters, reset_after)

    def loss():
        return np.sum(G * w1a1.gru_cell_forward(xt, a_prev, parameters, reset_after)[0])
    return (w1a1.gru_cell_backward(G, cache), loss,
            {"xt": xt, "a_prev": a_prev, **pick(parameters, gru_weights(reset_after))})


def gru_problem(seed, reset_after, **sizes):
    case = public.make_case(gru_layout(reset_after), seed, **sizes)
    x, a0, parameters, G = case["x"], case["a0"], case["parameters"], case["da"]
    _, _, caches = w1a1.gru_forward(x, a0, parameters, reset_after)

    def loss():
        return np.sum(G * w1a1.gru_forward(x, a0, parameters, reset_after)[0])
    return (w1a1.gru_backward(G, caches), loss,
            {"x": x, "a0": a0, **pick(parameters, gru_weights(reset_after))})


GRADIENT_PROBLEMS = {
    "rnn_cell_backward": rnn_cell_problem,
    "rnn_backward": rnn_problem,
    "lstm_cell_backward": lstm_cell_problem,
    "lstm_backward": lstm_problem,
    "gru_cell_backward[reset_after=False]": partial(gru_cell_problem, reset_after=False),
    "gru_cell_backward[reset_after=True]": partial(gru_cell_problem, reset_after=True),
    "gru_backward[reset_after=False]": partial(gru_problem, reset_after=False),
    "gru_backward[reset_after=True]": partial(gru_problem, reset_after=True),
}


def assert_matches_finite_differences(gradients, loss, arrays, noise_floor=False):
    """Exactly one gradient per array, each within TOLERANCE (relative error) of finite differences.

    With noise_floor, gradients of norm below NOISE_FLOOR_NORM must match to NOISE_FLOOR_ATOL instead.
    """
    assert sorted(gradients) == sorted("d" + name for name in arrays)
    for name, array in arrays.items():
        analytic, numeric = gradients["d" + name], numerical_gradient(loss, array)
        assert analytic.shape == array.shape, f"d{name} has shape {analytic.shape}, expected {array.shape}"
        if noise_floor and np.linalg.norm(numeric) < NOISE_FLOOR_NORM:
            np.testing.assert_allclose(analytic, numeric, rtol=0, atol=NOISE_FLOOR_ATOL, err_msg=f"d{name}")
        else:
            error = relative_error(analytic, numeric)
            assert error < TOLERANCE, f"d{name}: relative error {error:.1e} against finite differences"


@pytest.mark.parametrize("problem", GRADIENT_PROBLEMS)
def test_backward_matches_finite_differences(problem):
    assert_matches_finite_differences(*GRADIENT_PROBLEMS[problem](seed=201, **SIZES))


@pytest.mark.parametrize("problem", GRADIENT_PROBLEMS)
@property_settings
@given(sizes=random_sizes, seed=random_seeds)
def test_backward_matches_finite_differences_for_random_shapes(problem, sizes, seed):
    assert_matches_finite_differences(*GRADIENT_PROBLEMS[problem](seed=seed, **sizes), noise_floor=True)


# --- Forward shapes over random sizes -------------------------------------------------------------

def forward_outputs(seed, n_x, n_a, n_y, m, T_x, layer_sizes):
    """{name: (output, expected shape)} for every forward function on one random case of these sizes."""
    sizes = {"n_x": n_x, "n_a": n_a, "n_y": n_y, "m": m, "T_x": T_x}
    cell, sequence = (n_a, m), (n_a, m, T_x)
    predictions, predictions_t = (n_y, m), (n_y, m, T_x)
    outputs = {}
    case = public.make_case(RNN_PARAMETERS, seed, **sizes)
    a_next, yt_pred, _ = w1a1.rnn_cell_forward(first_input(case), case["a0"], case["parameters"])
    a, y_pred, caches = w1a1.rnn_forward(case["x"], case["a0"], case["parameters"])
    outputs.update({"rnn_cell_forward.a_next": (a_next, cell), "rnn_cell_forward.yt_pred": (yt_pred, predictions),
                    "rnn_forward.a": (a, sequence), "rnn_forward.y_pred": (y_pred, predictions_t),
                    "rnn_forward.caches": (caches[0], [T_x])})
    case = public.make_case(LSTM_PARAMETERS, seed, **sizes)
    a_next, c_next, yt_pred, _ = w1a1.lstm_cell_forward(first_input(case), case["a0"], case["c0"], case["parameters"])
    a, y, c, caches = w1a1.lstm_forward(case["x"], case["a0"], case["parameters"])
    outputs.update({"lstm_cell_forward.a_next": (a_next, cell), "lstm_cell_forward.c_next": (c_next, cell),
                    "lstm_cell_forward.yt_pred": (yt_pred, predictions), "lstm_forward.a": (a, sequence),
                    "lstm_forward.y": (y, predictions_t), "lstm_forward.c": (c, sequence),
                    "lstm_forward.caches": (caches[0], [T_x])})
    for reset_after in (False, True):
        case = public.make_case(gru_layout(reset_after), seed, **sizes)
        a_next, yt_pred, _ = w1a1.gru_cell_forward(first_input(case), case["a0"], case["parameters"], reset_after)
        a, y_pred, caches = w1a1.gru_forward(case["x"], case["a0"], case["parameters"], reset_after)
        variant = f"[reset_after={reset_after}]"
        outputs.update({f"gru_cell_forward.a_next{variant}": (a_next, cell),
                        f"gru_cell_forward.yt_pred{variant}": (yt_pred, predictions),
                        f"gru_forward.a{variant}": (a, sequence), f"gru_forward.y_pred{variant}": (y_pred, predictions_t),
                        f"gru_forward.caches{variant}": (caches[0], [T_x])})
    case = public.make_case(BIRNN_PARAMETERS, seed, **sizes)
    a, y_pred = w1a1.bidirectional_rnn_forward(case["x"], case["a0"], case["c0"], case["parameters"])
    outputs.update({"bidirectional_rnn_forward.a": (a, (2 * n_a, m, T_x)),
                    "bidirectional_rnn_forward.y_pred": (y_pred, predictions_t)})
    case = public.deep_case(seed, layer_sizes=layer_sizes, n_x=n_x, n_y=n_y, m=m, T_x=T_x)
    a, y_pred = w1a1.deep_rnn_forward(case["x"], case["a0"], case["parameters"])
    outputs["deep_rnn_forward.a"] = (a, [len(layer_sizes)])
    outputs.update({f"deep_rnn_forward.a[{l}]": (states, (size, m, T_x))
                    for l, (states, size) in enumerate(zip(a, layer_sizes))})
    outputs["deep_rnn_forward.y_pred"] = (y_pred, predictions_t)
    return outputs


@property_settings
@given(sizes=random_sizes, seed=random_seeds, layer_sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3))
def test_forward_output_shapes_for_random_shapes(sizes, seed, layer_sizes):
    """Arrays have their documented shapes (lists their length), are finite, and predictions sum to 1."""
    for name, (output, expected) in forward_outputs(seed, layer_sizes=tuple(layer_sizes), **sizes).items():
        if isinstance(expected, list):
            assert len(output) == expected[0], name
            continue
        assert output.shape == expected, name
        assert np.all(np.isfinite(output)), name
        if ".y" in name:
            np.testing.assert_allclose(output.sum(axis=0), 1.0, rtol=0, atol=1e-12, err_msg=name)


# --- Bad input: ValueError naming the offending argument ------------------------------------------

def without(parameters, key):
    return {k: v for k, v in parameters.items() if k != key}


def reshaped(parameters, key, shape):
    return {**parameters, key: np.zeros(shape)}


RNN = public.make_case(RNN_PARAMETERS, seed=301)  # n_x=3, n_a=5, n_y=2, m=4, T_x=3
LSTM = public.make_case(LSTM_PARAMETERS, seed=302)
GRU = public.make_case(GRU_RESET_AFTER_PARAMETERS, seed=303)
BIRNN = public.make_case(BIRNN_PARAMETERS, seed=304)
DEEP = public.deep_case(seed=305)  # layers of 5 and 4 units


def rnn_cache():
    return w1a1.rnn_cell_forward(first_input(RNN), RNN["a0"], RNN["parameters"])[2]


def rnn_caches():
    return w1a1.rnn_forward(RNN["x"], RNN["a0"], RNN["parameters"])[2]


def lstm_cache():
    return w1a1.lstm_cell_forward(first_input(LSTM), LSTM["a0"], LSTM["c0"], LSTM["parameters"])[3]


def lstm_caches():
    return w1a1.lstm_forward(LSTM["x"], LSTM["a0"], LSTM["parameters"])[3]


def gru_cache(reset_after=False):
    return w1a1.gru_cell_forward(first_input(GRU), GRU["a0"], GRU["parameters"], reset_after)[2]


def gru_caches(reset_after=False):
    return w1a1.gru_forward(GRU["x"], GRU["a0"], GRU["parameters"], reset_after)[2]


def missing(key):
    return f"missing the key(s) ['{key}']"


BAD_INPUTS = {
    "rnn_cell_forward: a_prev of 4 units": (
        lambda: w1a1.rnn_cell_forward(first_input(RNN), RNN["a0"][:4], RNN["parameters"]), "a_prev"),
    "rnn_cell_forward: xt of 2 features": (
        lambda: w1a1.rnn_cell_forward(first_input(RNN)[:2], RNN["a0"], RNN["parameters"]), "xt"),
    "rnn_cell_forward: Waa of the wrong shape": (
        lambda: w1a1.rnn_cell_forward(first_input(RNN), RNN["a0"], reshaped(RNN["parameters"], "Waa", (5, 6))),
        "parameters['Waa']"),
    "rnn_cell_forward: no Waa": (
        lambda: w1a1.rnn_cell_forward(first_input(RNN), RNN["a0"], without(RNN["parameters"], "Waa")), missing("Waa")),
    "rnn_cell_forward: parameters not a dict": (
        lambda: w1a1.rnn_cell_forward(first_input(RNN), RNN["a0"], None), "parameters must be a dict"),
    "rnn_forward: a0 of 4 units": (lambda: w1a1.rnn_forward(RNN["x"], RNN["a0"][:4], RNN["parameters"]), "a0"),
    "rnn_forward: a0 of 2 examples": (lambda: w1a1.rnn_forward(RNN["x"], RNN["a0"][:, :2], RNN["parameters"]), "a0"),
    "rnn_forward: x of 2 dimensions": (
        lambda: w1a1.rnn_forward(RNN["x"][:, :, 0], RNN["a0"], RNN["parameters"]), "x must have 3 dimensions"),
    "rnn_forward: no by": (lambda: w1a1.rnn_forward(RNN["x"], RNN["a0"], without(RNN["parameters"], "by")),
                           missing("by")),
    "lstm_cell_forward: c_prev of 4 units": (
        lambda: w1a1.lstm_cell_forward(first_input(LSTM), LSTM["a0"], LSTM["c0"][:4], LSTM["parameters"]), "c_prev"),
    "lstm_cell_forward: no bo": (
        lambda: w1a1.lstm_cell_forward(first_input(LSTM), LSTM["a0"], LSTM["c0"], without(LSTM["parameters"], "bo")),
        missing("bo")),
    "lstm_forward: a0 of 4 units": (lambda: w1a1.lstm_forward(LSTM["x"], LSTM["a0"][:4], LSTM["parameters"]), "a0"),
    "lstm_forward: Wi of the wrong shape": (
        lambda: w1a1.lstm_forward(LSTM["x"], LSTM["a0"], reshaped(LSTM["parameters"], "Wi", (5, 7))),
        "parameters['Wi']"),
    "gru_cell_forward: reset_after without bca": (
        lambda: w1a1.gru_cell_forward(first_input(GRU), GRU["a0"], without(GRU["parameters"], "bca"), reset_after=True),
        missing("bca")),
    "gru_forward: reset_after without bca": (
        lambda: w1a1.gru_forward(GRU["x"], GRU["a0"], without(GRU["parameters"], "bca"), reset_after=True),
        missing("bca")),
    "gru_forward: a0 of 4 units": (lambda: w1a1.gru_forward(GRU["x"], GRU["a0"][:4], GRU["parameters"]), "a0"),
    "bidirectional_rnn_forward: a0_f of 4 units": (
        lambda: w1a1.bidirectional_rnn_forward(BIRNN["x"], BIRNN["a0"][:4], BIRNN["c0"], BIRNN["parameters"]), "a0_f"),
    "bidirectional_rnn_forward: a0_b of 2 examples": (
        lambda: w1a1.bidirectional_rnn_forward(BIRNN["x"], BIRNN["a0"], BIRNN["c0"][:, :2], BIRNN["parameters"]),
        "a0_b"),
    "bidirectional_rnn_forward: no Waa_b": (
        lambda: w1a1.bidirectional_rnn_forward(BIRNN["x"], BIRNN["a0"], BIRNN["c0"],
                                               without(BIRNN["parameters"], "Waa_b")), missing("Waa_b")),
    "bidirectional_rnn_forward: Wya reading one direction only": (
        lambda: w1a1.bidirectional_rnn_forward(BIRNN["x"], BIRNN["a0"], BIRNN["c0"],
                                               reshaped(BIRNN["parameters"], "Wya", (2, 5))), "parameters['Wya']"),
    "deep_rnn_forward: empty a0 list": (
        lambda: w1a1.deep_rnn_forward(DEEP["x"], [], DEEP["parameters"]), "a0 must hold one initial state per layer"),
    "deep_rnn_forward: a0[1] of 2 units": (
        lambda: w1a1.deep_rnn_forward(DEEP["x"], [DEEP["a0"][0], DEEP["a0"][1][:2]], DEEP["parameters"]), "a0[1]"),
    "deep_rnn_forward: no Wax2": (
        lambda: w1a1.deep_rnn_forward(DEEP["x"], DEEP["a0"], without(DEEP["parameters"], "Wax2")), missing("Wax2")),
    "deep_rnn_forward: Wax2 reading the input instead of layer 1": (
        lambda: w1a1.deep_rnn_forward(DEEP["x"], DEEP["a0"], reshaped(DEEP["parameters"], "Wax2", (4, 3))),
        "parameters['Wax2']"),
    "deep_rnn_forward: Wya reading layer 1": (
        lambda: w1a1.deep_rnn_forward(DEEP["x"], DEEP["a0"], reshaped(DEEP["parameters"], "Wya", (2, 5))),
        "parameters['Wya']"),
    "rnn_cell_backward: da_next of 2 units": (lambda: w1a1.rnn_cell_backward(RNN["da"][:2, :, 0], rnn_cache()),
                                              "da_next"),
    "rnn_backward: da of 2 steps": (lambda: w1a1.rnn_backward(RNN["da"][:, :, :2], rnn_caches()), "da must have shape"),
    "lstm_cell_backward: da_next of 2 units": (
        lambda: w1a1.lstm_cell_backward(LSTM["da"][:2, :, 0], LSTM["dc"], lstm_cache()), "da_next"),
    "lstm_cell_backward: dc_next of 2 units": (
        lambda: w1a1.lstm_cell_backward(LSTM["da"][:, :, 0], LSTM["dc"][:2], lstm_cache()), "dc_next"),
    "lstm_backward: da of 2 steps": (lambda: w1a1.lstm_backward(LSTM["da"][:, :, :2], lstm_caches()),
                                     "da must have shape"),
    "gru_cell_backward: da_next of 2 examples": (
        lambda: w1a1.gru_cell_backward(GRU["da"][:, :2, 0], gru_cache(reset_after=True)), "da_next"),
    "gru_backward: da of 2 dimensions": (lambda: w1a1.gru_backward(GRU["da"][:, :, 0], gru_caches()),
                                         "da must have shape"),
}


@pytest.mark.parametrize("bad_input", BAD_INPUTS)
def test_bad_input_raises_value_error_naming_the_argument(bad_input):
    call, mentions = BAD_INPUTS[bad_input]
    with pytest.raises(ValueError, match=re.escape(mentions)):
        call()


# --- Inputs are left as they were ------------------------------------------------------------------

CALLS = {
    "rnn_cell_forward": lambda: (w1a1.rnn_cell_forward, (first_input(RNN), RNN["a0"], RNN["parameters"])),
    "rnn_forward": lambda: (w1a1.rnn_forward, (RNN["x"], RNN["a0"], RNN["parameters"])),
    "lstm_cell_forward": lambda: (w1a1.lstm_cell_forward,
                                  (first_input(LSTM), LSTM["a0"], LSTM["c0"], LSTM["parameters"])),
    "lstm_forward": lambda: (w1a1.lstm_forward, (LSTM["x"], LSTM["a0"], LSTM["parameters"])),
    "gru_cell_forward[reset_after=False]": lambda: (w1a1.gru_cell_forward,
                                                    (first_input(GRU), GRU["a0"], GRU["parameters"], False)),
    "gru_cell_forward[reset_after=True]": lambda: (w1a1.gru_cell_forward,
                                                   (first_input(GRU), GRU["a0"], GRU["parameters"], True)),
    "gru_forward[reset_after=False]": lambda: (w1a1.gru_forward, (GRU["x"], GRU["a0"], GRU["parameters"], False)),
    "gru_forward[reset_after=True]": lambda: (w1a1.gru_forward, (GRU["x"], GRU["a0"], GRU["parameters"], True)),
    "bidirectional_rnn_forward": lambda: (w1a1.bidirectional_rnn_forward,
                                          (BIRNN["x"], BIRNN["a0"], BIRNN["c0"], BIRNN["parameters"])),
    "deep_rnn_forward": lambda: (w1a1.deep_rnn_forward, (DEEP["x"], DEEP["a0"], DEEP["parameters"])),
    "rnn_cell_backward": lambda: (w1a1.rnn_cell_backward, (RNN["da"][:, :, 0].copy(), rnn_cache())),
    "rnn_backward": lambda: (w1a1.rnn_backward, (RNN["da"], rnn_caches())),
    "lstm_cell_backward": lambda: (w1a1.lstm_cell_backward, (LSTM["da"][:, :, 0].copy(), LSTM["dc"], lstm_cache())),
    "lstm_backward": lambda: (w1a1.lstm_backward, (LSTM["da"], lstm_caches())),
    "gru_cell_backward": lambda: (w1a1.gru_cell_backward, (GRU["da"][:, :, 0].copy(), gru_cache(reset_after=True))),
    "gru_backward": lambda: (w1a1.gru_backward, (GRU["da"], gru_caches(reset_after=True))),
}


def assert_unchanged(before, after, where):
    """Compare nested tuples, lists and dicts of arrays exactly."""
    if isinstance(before, np.ndarray):
        assert before.dtype == after.dtype and np.array_equal(before, after), f"{where} was modified"
    elif isinstance(before, dict):
        assert sorted(before) == sorted(after), f"{where} gained or lost keys"
        for key in before:
            assert_unchanged(before[key], after[key], f"{where}[{key!r}]")
    elif isinstance(before, (list, tuple)):
        assert len(before) == len(after), f"{where} changed length"
        for i, (b, a) in enumerate(zip(before, after)):
            assert_unchanged(b, a, f"{where}[{i}]")
    else:
        assert before == after, f"{where} was modified"


@pytest.mark.parametrize("function", CALLS)
def test_functions_do_not_modify_their_inputs(function):
    target, arguments = CALLS[function]()
    before = copy.deepcopy(arguments)
    target(*arguments)
    assert_unchanged(before, arguments, "argument")
