"""Unit tests of the shared helpers in utils/."""
import warnings

import nbformat
import numpy as np
import pytest

from utils.notebook_tools import blank_solutions, load_definitions, make_exercise, markdown_math_to_mathml
from utils.rnn_utils import (LSTM_PARAMETERS, RNN_PARAMETERS, check_shape, check_shapes, initialize_parameters,
                             sigmoid, softmax)
from utils.testing import (GradedTestFailure, assert_close, assert_gradient, assert_samples, compare_model,
                           sample_values, summarize_model)


# --- rnn_utils ------------------------------------------------------------------------------

def test_sigmoid_matches_its_definition_and_never_overflows():
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])


def test_softmax_columns_are_probabilities_even_for_huge_scores():
    scores = np.array([[1000.0, 0.0], [1001.0, 0.0]])
    p = softmax(scores)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    np.testing.assert_allclose(p[:, 1], [0.5, 0.5])
    assert p[1, 0] > p[0, 0]


def test_initialize_parameters_gives_the_layout_shapes():
    p = initialize_parameters(LSTM_PARAMETERS, n_x=3, n_a=5, n_y=2, rng=np.random.RandomState(0))
    assert p["Wf"].shape == (5, 8) and p["bf"].shape == (5, 1) and p["Wy"].shape == (2, 5)
    assert not p["bo"].any()


def test_check_shapes_returns_sizes_and_names_the_culprit():
    p = initialize_parameters(RNN_PARAMETERS, n_x=3, n_a=5, n_y=2, rng=np.random.RandomState(0))
    sizes = check_shapes({"xt": (np.zeros((3, 4)), "n_x m")}, p, RNN_PARAMETERS)
    assert sizes == {"n_a": 5, "n_x": 3, "n_y": 2, "m": 4}
    with pytest.raises(ValueError, match=r"a_prev has shape \(4, 4\).*n_a should be 5"):
        check_shapes({"a_prev": (np.zeros((4, 4)), "n_a m")}, p, RNN_PARAMETERS)
    with pytest.raises(ValueError, match=r"xt must have 2 dimensions"):
        check_shapes({"xt": (np.zeros(3), "n_x m")}, p, RNN_PARAMETERS)
    with pytest.raises(ValueError, match=r"missing the key\(s\) \['Waa'\]"):
        check_shapes({}, {k: v for k, v in p.items() if k != "Waa"}, RNN_PARAMETERS)
    with pytest.raises(ValueError, match=r"parameters\['ba'\].*dimension 1 should be 1"):
        check_shapes({}, {**p, "ba": np.zeros((5, 2))}, RNN_PARAMETERS)
    with pytest.raises(ValueError, match="parameters must be a dict"):
        check_shapes({}, [1, 2], RNN_PARAMETERS)


def test_check_shapes_checks_sums_of_dimensions():
    p = initialize_parameters(LSTM_PARAMETERS, n_x=3, n_a=5, n_y=2, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match=r"parameters\['Wi'\].*n_a\+n_x should be 8"):
        check_shapes({}, {**p, "Wi": np.zeros((5, 7))}, LSTM_PARAMETERS)


def test_check_shape():
    check_shape("da", np.zeros((2, 3)), (2, 3))
    with pytest.raises(ValueError, match=r"da must have shape \(2, 3\), got \(3, 2\)"):
        check_shape("da", np.zeros((3, 2)), (2, 3))


# --- testing ----------------------------------------------------------------------------------

def test_assert_close_explains_the_first_difference():
    assert_close(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-9], "y")
    with pytest.raises(GradedTestFailure, match=r"y has wrong values: 1 of 2 differ; first at index \(1,\): got 3"):
        assert_close(np.array([1.0, 3.0]), [1.0, 2.0], "y")
    with pytest.raises(GradedTestFailure, match=r"y has shape \(2,\), expected \(3,\)"):
        assert_close(np.zeros(2), np.zeros(3), "y")
    with pytest.raises(GradedTestFailure, match="y is None"):
        assert_close(None, np.zeros(3), "y")
    with pytest.raises(GradedTestFailure, match="NaN"):
        assert_close(np.array([np.nan]), [0.0], "y")


def test_sampled_values_round_trip_and_catch_errors():
    a = np.arange(24.0).reshape(2, 3, 4)
    assert_samples(a, a.shape, sample_values(a), "a")
    b = a.copy()
    b[-1, -1, -1] += 1
    with pytest.raises(GradedTestFailure, match=r"at index \(1, 2, 3\)"):
        assert_samples(b, a.shape, sample_values(a), "a")


def test_assert_gradient_accepts_right_and_rejects_wrong_gradients():
    w = np.array([1.0, -2.0, 0.5])

    def loss():
        return float(np.sum(w ** 3))
    assert_gradient(3 * w ** 2, loss, w, "dw")
    with pytest.raises(GradedTestFailure, match="dw does not match the numerical gradient"):
        assert_gradient(2 * w, loss, w, "dw")


def test_model_summary_works_in_keras_3():
    keras = pytest.importorskip("keras")
    inputs = keras.Input((7, 4))
    x = keras.layers.LSTM(8, return_sequences=False)(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    rows = summarize_model(model)
    assert rows[1][:3] == ["LSTM", (None, 8), 4 * 8 * (8 + 4 + 1)]
    assert rows[2][3]["activation"] == "softmax"
    expected = [["InputLayer", (None, 7, 4), 0, {}],
                ["LSTM", (None, 8), 416, {"units": 8, "return_sequences": False}],
                ["Dense", (None, 3), 27, {"activation": "softmax"}]]
    compare_model(model, expected)
    wrong = [row[:] for row in expected]
    wrong[1] = ["LSTM", (None, 8), 416, {"return_sequences": True}]
    with pytest.raises(GradedTestFailure, match=r"layer 1 \(LSTM\): return_sequences is False, expected True"):
        compare_model(model, wrong)
    with pytest.raises(GradedTestFailure, match="the model has 3 layers, expected 2"):
        compare_model(model, expected[:2])


# --- notebook_tools ---------------------------------------------------------------------------

SOLVED = '''def f(x):
    y = x + 1
    ### BEGIN SOLUTION
    # double it
    z = 2 * y
    ### END SOLUTION
    return z'''


def test_blank_solutions_keeps_hints_and_stubs_the_code():
    blank = blank_solutions(SOLVED)
    assert "z = 2 * y" not in blank and "# double it" in blank and "y = x + 1" in blank
    assert "    ### START CODE HERE ### (about 1 lines)" in blank
    assert "    raise NotImplementedError(" in blank
    namespace = {}
    exec(blank, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


def test_unclosed_solution_marker_is_an_error():
    with pytest.raises(ValueError, match="without closing it"):
        blank_solutions("### BEGIN SOLUTION\nx = 1")


def test_math_becomes_mathml_but_code_is_left_alone():
    html = markdown_math_to_mathml("Cost $a^2$ and `$HOME` and\n$$b_1$$")
    assert "<math" in html and 'display="block"' in html and "`$HOME`" in html and "$" not in html.replace("`$HOME`", "")


def test_load_definitions_runs_only_imports_and_definitions(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import math"),
        nbformat.v4.new_code_cell("%matplotlib inline"),
        nbformat.v4.new_code_cell("raise RuntimeError('a demo cell must not run')"),
        nbformat.v4.new_code_cell(SOLVED),
    ])
    path = tmp_path / "Demo.ipynb"
    nbformat.write(nb, path)
    loaded = load_definitions(path)
    assert loaded.f(1) == 4 and loaded.math.pi > 3
    exercise = make_exercise(nb)
    assert nb.cells[3].source == SOLVED and "NotImplementedError" in exercise.cells[3].source


def test_check_shapes_blames_the_input_that_disagrees_with_the_parameters():
    p = initialize_parameters(LSTM_PARAMETERS, n_x=3, n_a=5, n_y=2, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match=r"^x has shape \(2, 4, 6\), but its dimension n_x should be 3"):
        check_shapes({"x": (np.zeros((2, 4, 6)), "n_x m T_x")}, p, LSTM_PARAMETERS)


def test_check_shapes_rejects_empty_dimensions():
    with pytest.raises(ValueError, match=r"x has shape \(3, 4, 0\): its dimension T_x is empty"):
        check_shapes({"x": (np.zeros((3, 4, 0)), "n_x m T_x")})


def test_numerical_gradient_works_for_any_layout_and_rejects_integers():
    from utils.gradient_check import numerical_gradient
    W = np.random.RandomState(0).standard_normal((2, 3)).T  # a transposed view: not C-contiguous
    np.testing.assert_allclose(numerical_gradient(lambda: np.sum(W ** 2), W), 2 * W, rtol=1e-6)
    with pytest.raises(ValueError, match="floating-point"):
        numerical_gradient(lambda: 0.0, np.arange(3))


def test_library_noise_is_stripped_and_sanitized_alike():
    """TensorFlow's timestamped C++ log lines: removed from saved notebooks, ignored by nbval."""
    import re
    from pathlib import Path

    from nbval.plugin import get_sanitize_patterns

    from utils.notebook_tools import ROOT, strip_library_noise
    noisy = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
             "I0000 00:00:1795249170.923643   16015 port.cc:153] oneDNN custom operations are on.\n"
             "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the "
             "appropriate compiler flags.\n"
             "a warning the learner should see\n"
             "E0000 00:00:1795249135.437760   15453 node_def_util.cc:682] NodeDef mentions attribute\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stderr", text=noisy),
                           nbformat.v4.new_output("stream", name="stderr", text="E0000 00:00:1.5 1 a.cc:1] only\n")]
    outputs = strip_library_noise(nb).cells[0].outputs
    assert [o.text for o in outputs] == ["a warning the learner should see\n"]
    sanitized = noisy
    for regex, replace in get_sanitize_patterns((ROOT / "nbval_sanitize.cfg").read_text()):
        sanitized = re.sub(regex, replace, sanitized)
    assert sanitized == "a warning the learner should see\n"
    assert Path(ROOT / "nbval_sanitize.cfg").exists()


def test_a_failed_graded_test_shows_its_message_first_in_jupyter():
    """IPython renders an exception with `_render_traceback_` by that method: the message, no helper frames."""
    lines = GradedTestFailure("a_next differs: check the activation")._render_traceback_()
    assert "GradedTestFailure: a_next differs: check the activation" in lines[0]
    assert not any("File " in line for line in lines)
