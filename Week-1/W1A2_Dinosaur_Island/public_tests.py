"""Graded-cell tests for "Dinosaur Island: a Character-Level Language Model".

The tests build their own small inputs, so they do not depend on what you ran before them.
"""
import contextlib
import io

import numpy as np

from utils.char_lm import (build_vocabulary, initialize_parameters, per_char_loss, rnn_backward, rnn_forward)
from utils.testing import (GradedTestFailure, assert_close, assert_keys, assert_raises_value_error, assert_type,
                           passed)

NAMES = ["abelisaurus", "bambiraptor", "coelophysis", "dromaeosaurus", "edmontosaurus", "fukuiraptor",
         "gallimimus", "herrerasaurus", "iguanodon", "jobaria"]
CHAR_TO_IX, IX_TO_CHAR = build_vocabulary(NAMES)


def _random_parameters(seed, n_a=6, vocab_size=len(CHAR_TO_IX)):
    parameters = initialize_parameters(n_a, vocab_size, vocab_size, seed=seed)
    rng = np.random.RandomState(seed + 100)
    for key in parameters:  # larger weights and non-zero biases, so mistakes show
        parameters[key] = parameters[key] * 10 + rng.standard_normal(parameters[key].shape) * 0.3
    return parameters


def clip_test(target):
    rng = np.random.RandomState(3)
    gradients = {k: rng.standard_normal(shape) * 10 for k, shape in
                 {"dWax": (5, 3), "dWaa": (5, 5), "dWya": (2, 5), "dba": (5, 1), "dby": (2, 1)}.items()}
    originals = {k: v.copy() for k, v in gradients.items()}
    clipped = target(gradients, 5)
    assert_keys(clipped, list(gradients), "the result of clip")
    for k, value in gradients.items():
        assert_close(clipped[k], np.minimum(np.maximum(value, -5), 5), f"clipped[{k!r}]")
        assert_close(value, originals[k], f"gradients[{k!r}] after clip (clip must not modify its input)")
    small = {"dby": np.array([[0.5], [-0.25]])}
    assert_close(target(small, 1)["dby"], small["dby"], "a gradient already within the bound")
    assert_raises_value_error(target, gradients, 0, mentions="maxValue")
    passed()


def sample_test(target):
    parameters = _random_parameters(seed=1)
    newline = CHAR_TO_IX["\n"]
    indices = target(parameters, CHAR_TO_IX, seed=0)
    assert_type(indices, list, "the result of sample")
    if not all(isinstance(i, (int, np.integer)) for i in indices):
        raise GradedTestFailure("sample should return a list of integer indices")
    if indices[-1] != newline or newline in indices[:-1]:
        raise GradedTestFailure("the sampled indices should end with exactly one newline index, at the end")
    if not 2 <= len(indices) <= 51:
        raise GradedTestFailure(f"at most 50 characters plus the newline are sampled, got {len(indices)} indices")
    if target(parameters, CHAR_TO_IX, seed=0) != indices:
        raise GradedTestFailure("sample should give the same result for the same seed (use its own generator)")
    if len({tuple(target(parameters, CHAR_TO_IX, seed=s)) for s in range(20)}) < 5:
        raise GradedTestFailure("different seeds should give different samples: are you drawing at random?")
    # A model that always predicts 'a' must write 50 a's, then stop with the newline.
    always_a = {k: v.copy() for k, v in parameters.items()}
    always_a["Wya"][:] = 0
    always_a["by"][:] = -50
    always_a["by"][CHAR_TO_IX["a"]] = 50
    expected = [CHAR_TO_IX["a"]] * 50 + [newline]
    if target(always_a, CHAR_TO_IX, seed=0) != expected:
        raise GradedTestFailure("with a model that always predicts 'a', sample should return 50 a's and a newline")
    # The first character is drawn from softmax(Wya tanh(ba) + by) / temperature).
    first = [target(parameters, CHAR_TO_IX, seed=s, temperature=0.5)[0] for s in range(400)]
    scores = parameters["Wya"] @ np.tanh(parameters["ba"]) + parameters["by"]
    probabilities = np.exp(scores / 0.5 - np.max(scores / 0.5))
    probabilities = (probabilities / probabilities.sum()).ravel()
    likely = int(np.argmax(probabilities))
    share = np.mean(np.array(first) == likely)
    if abs(share - probabilities[likely]) > 0.08:
        raise GradedTestFailure(f"the first character should be drawn with the softmax probabilities at the given "
                                f"temperature: index {likely} has probability {probabilities[likely]:.2f} but was "
                                f"drawn {share:.2f} of the time")
    assert_raises_value_error(target, parameters, CHAR_TO_IX, 0, temperature=0, mentions="temperature")
    passed()


def optimize_test(target):
    parameters = _random_parameters(seed=2)
    X = [None] + [CHAR_TO_IX[c] for c in "iguanodon"]
    Y = X[1:] + [CHAR_TO_IX["\n"]]
    a_prev = np.random.RandomState(4).standard_normal((6, 1)) * 0.1
    before = {k: v.copy() for k, v in parameters.items()}
    expected_loss, cache = rnn_forward(X, Y, a_prev, before, len(CHAR_TO_IX))
    expected_gradients, a = rnn_backward(X, Y, before, cache)
    loss, gradients, a_last = target(X, Y, a_prev, parameters, learning_rate=0.01)
    assert_close(loss, expected_loss, "loss")
    for k in ("Wax", "Waa", "Wya", "ba", "by"):
        clipped = np.clip(expected_gradients["d" + k], -5, 5)
        assert_close(gradients["d" + k], clipped, f"gradients['d{k}'] (computed by rnn_backward, then clipped to 5)")
        assert_close(parameters[k], before[k] - 0.01 * clipped, f"parameters['{k}'] after the update")
    assert_close(a_last, a[len(X) - 1], "the last hidden state a[len(X)-1]")
    if max(np.abs(expected_gradients["d" + k]).max() for k in ("Wax", "Waa", "Wya", "ba", "by")) <= 5:
        raise GradedTestFailure("internal: this test case should need clipping")
    assert_raises_value_error(target, X, Y[:-1], a_prev, parameters, mentions="same length")
    passed()


def model_test(target):
    char_to_ix, ix_to_char = build_vocabulary(NAMES)
    vocab_size = len(char_to_ix)
    untrained = initialize_parameters(12, vocab_size, vocab_size)
    history = []
    with contextlib.redirect_stderr(io.StringIO()):  # keep progress bars out of the test's output
        parameters, last_name = target(NAMES, ix_to_char, char_to_ix, num_iterations=1201, n_a=12, dino_names=3,
                                       vocab_size=vocab_size, loss_history=history)
        again, _ = target(NAMES, ix_to_char, char_to_ix, num_iterations=1201, n_a=12, dino_names=3,
                          vocab_size=vocab_size)
    assert_keys(parameters, ["Wax", "Waa", "Wya", "ba", "by"], "parameters")
    assert_type(last_name, str, "last_dino_name")
    if not last_name or set(last_name) - set(char_to_ix) or "\n" in last_name:
        raise GradedTestFailure(f"last_dino_name should be a sampled name without the newline, got {last_name!r}")
    if len(history) != 13:
        raise GradedTestFailure(f"loss_history should get the smoothed loss every 100 iterations: expected 13 "
                                f"values after 1201 iterations, got {len(history)}")
    before, after = per_char_loss(untrained, NAMES, char_to_ix), per_char_loss(parameters, NAMES, char_to_ix)
    if not after < before - 0.5:
        raise GradedTestFailure(f"training should lower the loss per character clearly: {before:.3f} -> {after:.3f}")
    assert_close(again["Waa"], parameters["Waa"], "parameters of a second identical run (training must be seeded)")
    passed()
