"""Graded-cell tests for "Dinosaur Island: a Character-Level Language Model".

The tests build their own small inputs, so they do not depend on what you ran before them.
"""
import contextlib
import io

import numpy as np

from utils.char_lm import (build_vocabulary, get_initial_loss, initialize_parameters, per_char_loss, rnn_backward,
                           rnn_forward, smooth)
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


def _clipped(value, bound):
    return np.minimum(np.maximum(value, -bound), bound)


def clip_test(target):
    rng = np.random.RandomState(3)
    gradients = {k: rng.standard_normal(shape) * 10 for k, shape in
                 {"dWax": (5, 3), "dWaa": (5, 5), "dWya": (2, 5), "dba": (5, 1), "dby": (2, 1)}.items()}
    originals = {k: v.copy() for k, v in gradients.items()}
    clipped = target(gradients, 5)
    assert_keys(clipped, list(gradients), "the result of clip")
    for k, value in gradients.items():
        if not np.array_equal(value, originals[k]):
            raise GradedTestFailure(f"clip changed the caller's gradients[{k!r}]: return clipped copies "
                                    f"(np.clip without out=) and leave the input as it was")
        if np.abs(np.asarray(clipped[k])).max() > 5 + 1e-12:
            raise GradedTestFailure(f"clipped[{k!r}] still has entries beyond 5: clip every gradient in the dict, "
                                    f"biases included, on both sides (-maxValue and +maxValue)")
        assert_close(clipped[k], _clipped(value, 5), f"clipped[{k!r}] (each entry capped to [-maxValue, maxValue], "
                     "entries within the bound unchanged)")
    for k, value in target(gradients, 2.5).items():
        assert_close(value, _clipped(gradients[k], 2.5),
                     f"clipped[{k!r}] with maxValue=2.5 (use the maxValue argument, not a fixed number)")
    small = {"dby": np.array([[0.5], [-0.25]])}
    assert_close(target(small, 1)["dby"], small["dby"], "a gradient already within the bound")
    assert_raises_value_error(target, gradients, 0, mentions="maxValue")
    passed()


def _writer_parameters():
    """A confident model (large weights, non-zero biases): at temperature 0.1 it writes one word almost surely.

    Which word depends on everything a step uses: the hidden state carried from the step before, the drawn
    character fed back as the next input, and both biases.
    """
    n_a, vocab_size = 16, len(CHAR_TO_IX)
    rng = np.random.RandomState(9)
    return {"Wax": rng.standard_normal((n_a, vocab_size)) * 1.5,
            "Waa": rng.standard_normal((n_a, n_a)) * 1.5 / np.sqrt(n_a),
            "Wya": rng.standard_normal((vocab_size, n_a)) * 4.0,
            "ba": rng.standard_normal((n_a, 1)) * 0.5,
            "by": rng.standard_normal((vocab_size, 1)) * 0.5}


def _most_likely_word(parameters, temperature):
    """The characters a model writes when each step takes its most likely character, and the least
    probability any of those choices had."""
    vocab_size, n_a = parameters["by"].shape[0], parameters["Waa"].shape[0]
    x, a, indices, least = np.zeros((vocab_size, 1)), np.zeros((n_a, 1)), [], 1.0
    while len(indices) < 50 and CHAR_TO_IX["\n"] not in indices:
        a = np.tanh(parameters["Wax"] @ x + parameters["Waa"] @ a + parameters["ba"])
        scores = (parameters["Wya"] @ a + parameters["by"]) / temperature
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        index = int(np.argmax(probabilities))
        least = min(least, float(probabilities[index, 0]))
        indices.append(index)
        x = np.zeros((vocab_size, 1))
        x[index] = 1
    return indices, least


def _text(indices):
    return "".join(IX_TO_CHAR[i] for i in indices).replace("\n", "\\n")


def sample_test(target):
    parameters = _random_parameters(seed=1)
    newline = CHAR_TO_IX["\n"]
    indices = target(parameters, CHAR_TO_IX, seed=0)
    assert_type(indices, list, "the result of sample")
    if not all(isinstance(i, (int, np.integer)) for i in indices):
        raise GradedTestFailure("sample should return a list of integer indices")
    if indices[-1] != newline or newline in indices[:-1]:
        raise GradedTestFailure("the sampled indices should end with exactly one newline index, at the end: "
                                "stop as soon as the newline is drawn")
    if not 2 <= len(indices) <= 51:
        raise GradedTestFailure(f"at most 50 characters plus the newline are sampled, got {len(indices)} indices")
    if target(parameters, CHAR_TO_IX, seed=0) != indices:
        raise GradedTestFailure("sample should give the same result for the same seed: draw with its own "
                                "generator rng, not np.random")
    if len({tuple(target(parameters, CHAR_TO_IX, seed=s)) for s in range(20)}) < 5:
        raise GradedTestFailure("different seeds should give different samples: draw each character at random "
                                "(rng.choice with the probabilities), do not take the most likely one")
    # A model that always predicts 'a' must write 50 a's, then stop with the newline.
    always_a = {k: v.copy() for k, v in parameters.items()}
    always_a["Wya"][:] = 0
    always_a["by"][:] = -50
    always_a["by"][CHAR_TO_IX["a"]] = 50
    expected = [CHAR_TO_IX["a"]] * 50 + [newline]
    got = target(always_a, CHAR_TO_IX, seed=0)
    if got != expected:
        raise GradedTestFailure(f"with a model that always predicts 'a', sample should return 50 a's and a newline "
                                f"(51 indices), got {len(got)} indices")
    # A confident model writes one word at a low temperature; the word depends on the state and the input.
    writer = _writer_parameters()
    word, least = _most_likely_word(writer, 0.1)
    if least < 1 - 1e-7:
        raise GradedTestFailure("internal: the confident model of this test is not confident enough")
    for seed in range(5):
        got = target(writer, CHAR_TO_IX, seed=seed, temperature=0.1)
        if got != word:
            same = next((i for i, (g, w) in enumerate(zip(got, word)) if g != w), min(len(got), len(word)))
            cause = ("the first character already differs: check the step, tanh(Wax x + Waa a_prev + ba), then "
                     "softmax((Wya a + by) / temperature)" if same == 0 else
                     f"the first {same} characters agree, then they differ: carry the hidden state to the next "
                     f"step (a_prev = a) and feed the drawn character back as a fresh one-hot input x")
            raise GradedTestFailure(f"a confident model (temperature 0.1) writes '{_text(word)}' for every seed, "
                                    f"but your sample wrote '{_text(got)}' with seed {seed}: {cause}")
    # The first character is drawn from softmax((Wya tanh(ba) + by) / temperature).
    first = [target(parameters, CHAR_TO_IX, seed=s, temperature=0.5)[0] for s in range(400)]
    scores = parameters["Wya"] @ np.tanh(parameters["ba"]) + parameters["by"]
    probabilities = np.exp(scores / 0.5 - np.max(scores / 0.5))
    probabilities = (probabilities / probabilities.sum()).ravel()
    likely = int(np.argmax(probabilities))
    share = np.mean(np.array(first) == likely)
    if abs(share - probabilities[likely]) > 0.08:
        raise GradedTestFailure(f"the first character should be drawn with the softmax probabilities at the given "
                                f"temperature, softmax((Wya a + by) / temperature): index {likely} has probability "
                                f"{probabilities[likely]:.2f} but was drawn {share:.2f} of the time")
    assert_raises_value_error(target, parameters, CHAR_TO_IX, 0, temperature=0, mentions="temperature")
    passed()


def optimize_test(target):
    parameters = _random_parameters(seed=2)
    X = [None] + [CHAR_TO_IX[c] for c in "iguanodon"]
    Y = X[1:] + [CHAR_TO_IX["\n"]]
    a_prev = np.tanh(np.random.RandomState(4).standard_normal((6, 1)) * 2)  # a state from earlier steps
    learning_rate = 0.037
    before = {k: v.copy() for k, v in parameters.items()}
    expected_loss, cache = rnn_forward(X, Y, a_prev, before, len(CHAR_TO_IX))
    expected_gradients, a = rnn_backward(X, Y, before, cache)
    loss, gradients, a_last = target(X, Y, a_prev, parameters, learning_rate=learning_rate)
    assert_close(loss, expected_loss, "loss (rnn_forward from a_prev, before the update)")
    for k in ("Wax", "Waa", "Wya", "ba", "by"):
        clipped = np.clip(expected_gradients["d" + k], -5, 5)
        assert_close(gradients["d" + k], clipped, f"gradients['d{k}'] (computed by rnn_backward, then clipped to 5)")
        assert_close(parameters[k], before[k] - learning_rate * clipped,
                     f"parameters['{k}'] after the update (step with the clipped gradients and the learning_rate "
                     f"argument, here {learning_rate})")
    assert_close(a_last, a[len(X) - 1], "the last hidden state a[len(X)-1]")
    if max(np.abs(expected_gradients["d" + k]).max() for k in ("Wax", "Waa", "Wya", "ba", "by")) <= 10:
        raise GradedTestFailure("internal: this test case should need clipping")
    assert_raises_value_error(target, X, Y[:-1], a_prev, parameters, mentions="same length")
    passed()


@contextlib.contextmanager
def _recording_optimize(target):
    """Replace the `optimize` that `target` calls by one that records each call, then put it back."""
    namespace = target.__globals__
    optimize = namespace.get("optimize")
    if optimize is None:
        raise GradedTestFailure("model should call your optimize function once per iteration")
    calls = []

    def recorder(X, Y, a_prev, parameters, learning_rate=0.01):
        a_prev_given = np.array(a_prev, dtype=float, copy=True)
        result = optimize(X, Y, a_prev, parameters, learning_rate)
        calls.append({"X": list(X), "Y": list(Y), "a_prev": a_prev_given, "learning_rate": learning_rate,
                      "loss": float(result[0])})
        return result

    namespace["optimize"] = recorder
    try:
        yield calls
    finally:
        namespace["optimize"] = optimize


def _check_training_calls(calls, names, char_to_ix, num_iterations, history, n_a):
    newline = char_to_ix["\n"]
    if len(calls) != num_iterations:
        raise GradedTestFailure(f"model should call optimize once per iteration: {num_iterations} iterations, "
                                f"{len(calls)} calls")
    ix_to_char = {i: c for c, i in char_to_ix.items()}
    visited = []
    for j, call in enumerate(calls):
        X, Y = call["X"], call["Y"]
        if X[0] is not None:
            raise GradedTestFailure(f"iteration {j}: X should start with None, the zero input, got X[0] = {X[0]!r}")
        if Y != X[1:] + [newline]:
            raise GradedTestFailure(f"iteration {j}: Y should be X shifted by one, ending with the newline: "
                                    f"Y = X[1:] + [char_to_ix['\\n']]")
        name = "".join(ix_to_char[i] for i in X[1:])
        if name not in names:
            raise GradedTestFailure(f"iteration {j}: X spells {name!r}, which is not one of the names: X should be "
                                    f"[None] followed by every character of the name")
        visited.append(name)
        if np.shape(call["a_prev"]) != (n_a, 1) or np.any(call["a_prev"] != 0):
            raise GradedTestFailure(f"iteration {j}: optimize got a non-zero a_prev: each name should start from "
                                    f"the zero state, np.zeros((n_a, 1)), not the state left by the previous name")
        if call["learning_rate"] != 0.01:
            raise GradedTestFailure(f"iteration {j}: optimize got learning_rate {call['learning_rate']}; "
                                    f"train with 0.01")
    n = len(names)
    if sorted(visited[:n]) != sorted(names):
        raise GradedTestFailure(f"the first {n} iterations should visit each of the {n} names once: cycle through "
                                f"the shuffled list with examples[j % len(examples)]")
    if any(visited[j] != visited[j % n] for j in range(len(visited))):
        raise GradedTestFailure("after a pass over all the names, the next pass should visit them in the same "
                                "order again: examples[j % len(examples)]")
    if visited[:n] == list(names):
        raise GradedTestFailure("the names are visited in the order given: keep the shuffle of examples")
    loss = get_initial_loss(len(char_to_ix), np.mean([len(x) + 1 for x in names]))
    smoothed = []
    for j, call in enumerate(calls):
        loss = smooth(loss, call["loss"])
        if j % 100 == 0:
            smoothed.append(loss)
    if len(history) != len(smoothed):
        raise GradedTestFailure(f"loss_history should get the smoothed loss every 100 iterations, at j = 0, 100, ...: "
                                f"expected {len(smoothed)} values after {num_iterations} iterations, got {len(history)}")
    assert_close(history, smoothed, "loss_history (the loss smoothed with smooth(loss, curr_loss), recorded at "
                 "j = 0, 100, 200, ...)", atol=1e-6)


def model_test(target):
    char_to_ix, ix_to_char = build_vocabulary(NAMES)
    vocab_size = len(char_to_ix)
    untrained = initialize_parameters(12, vocab_size, vocab_size)
    history = []
    with contextlib.redirect_stderr(io.StringIO()):  # keep progress bars out of the test's output
        with _recording_optimize(target) as calls:
            parameters, last_name = target(NAMES, ix_to_char, char_to_ix, num_iterations=1201, n_a=12,
                                           dino_names=3, vocab_size=vocab_size, loss_history=history)
        again, _ = target(NAMES, ix_to_char, char_to_ix, num_iterations=1201, n_a=12, dino_names=3,
                          vocab_size=vocab_size)
    assert_keys(parameters, ["Wax", "Waa", "Wya", "ba", "by"], "parameters")
    assert_type(last_name, str, "last_dino_name")
    if not last_name or set(last_name) - set(char_to_ix) or "\n" in last_name:
        raise GradedTestFailure(f"last_dino_name should be a sampled name without the newline, got {last_name!r}")
    _check_training_calls(calls, NAMES, char_to_ix, 1201, history, n_a=12)
    before, after = per_char_loss(untrained, NAMES, char_to_ix), per_char_loss(parameters, NAMES, char_to_ix)
    if not after < before - 0.5:
        raise GradedTestFailure(f"training should lower the loss per character clearly: {before:.3f} -> {after:.3f}")
    assert_close(again["Waa"], parameters["Waa"], "parameters of a second identical run (training must be seeded)")
    passed()
