"""Graded-cell tests for "Emojify: from a Sentence to an Emoji".

Tiny hand-made vocabularies with known answers; V1's training is compared step by step with plain SGD;
the Keras model is compared layer by layer, then, with known weights, against a NumPy forward pass.
"""
import contextlib
import io
import warnings

import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_shape, compare_model, passed

TINY = {"i": np.array([1.0, 0.0]), "love": np.array([0.0, 2.0]), "you": np.array([2.0, 2.0])}


def _warns(function, *args):
    """Run function(*args) and return (result, list of warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args)
    return result, [str(w.message) for w in caught]


def _value_error(function, *args, what):
    try:
        function(*args)
    except ValueError:
        return
    raise GradedTestFailure(f"{what} should raise ValueError")


def sentence_to_avg_test(target):
    tiny = {w: v.copy() for w, v in TINY.items()}
    assert_close(target("I love you!", tiny), [1.0, 4 / 3],
                 "the average of 'I love you!' (use known_words: it lower-cases and drops the '!')")
    for word, vector in TINY.items():
        if not np.array_equal(tiny[word], vector):
            raise GradedTestFailure(f"sentence_to_avg changed word_to_vec_map[{word!r}]: start the sum from "
                                    "np.zeros, not from a word's own vector (+= would change it in place)")
    assert_close(target("love", tiny), [0.0, 2.0], "the average of a one-word sentence")
    assert_close(target("love love you", tiny), [2 / 3, 2.0],
                 "the average of 'love love you' (a repeated word counts every time it occurs)")
    avg, messages = _warns(target, "i really love you", tiny)
    assert_close(avg, [1.0, 4 / 3], "the average when an unknown word ('really') is skipped "
                 "(divide by the number of known words)")
    if not any("really" in m for m in messages):
        raise GradedTestFailure("an unknown word should be skipped with a warning naming it")
    _value_error(target, "", tiny, what="an empty sentence")
    _value_error(target, "xyzzy plugh", tiny, what="a sentence with no known word")
    passed()


def _class_vectors(seed=0, dim=50):
    """Five well-separated class prototypes and two words per class near each."""
    rng = np.random.RandomState(seed)
    prototypes = rng.standard_normal((5, dim)) * 2
    vectors = {}
    for c in range(5):
        for k in range(2):
            vectors[f"w{c}{k}"] = prototypes[c] + rng.standard_normal(dim) * 0.3
    return vectors


def predict_test(target):
    vectors = _class_vectors()
    classes = np.array([0, 1, 2, 3, 4, 1, 3])  # 7 sentences, 5 classes: rows and columns can't be mixed up
    X = np.array([f"w{c}0 w{c}1" for c in classes])
    W = np.array([np.mean([vectors[f"w{c}0"], vectors[f"w{c}1"]], axis=0) for c in range(5)])
    pred = target(X, None, W, np.zeros(5), vectors)
    assert_shape(pred, (len(X),), "pred (one class per sentence: argmax over the classes, axis=1)")
    if not np.array_equal(pred, classes):
        raise GradedTestFailure(f"with W's rows at the class averages, the classes should be {classes}, got {pred}: "
                                "take the argmax of W . avg + b over the 5 classes of each sentence")
    with contextlib.redirect_stdout(io.StringIO()) as out:
        target(X, classes, W, np.zeros(5), vectors)
    if "Accuracy: 1.0000" not in out.getvalue():
        raise GradedTestFailure("predict should print the accuracy when Y is given ('Accuracy: 1.0000' here)")
    shifted = target(X, None, W, np.array([0.0, 0.0, 1e6, 0.0, 0.0]), vectors)
    if not np.array_equal(shifted, np.full(len(X), 2)):
        raise GradedTestFailure("with a huge b[2], every sentence should be class 2: add the bias b to W . avg "
                                "(and take the argmax of z itself, no softmax across sentences)")
    passed()


def _sgd(W, b, averages, Y_oh, learning_rate, num_iterations):
    """Plain stochastic gradient descent on softmax cross-entropy, one example after the other."""
    W, b = W.copy(), b.copy()
    for _ in range(num_iterations):
        for avg, y in zip(averages, Y_oh):
            z = W @ avg + b
            a = np.exp(z - z.max())
            a /= a.sum()
            W -= learning_rate * np.outer(a - y, avg)
            b -= learning_rate * (a - y)
    return W, b


def _cost(W, b, averages, Y_oh):
    z = averages @ W.T + b
    z = z - z.max(axis=1, keepdims=True)
    return float(-np.mean(np.sum(Y_oh * (z - np.log(np.exp(z).sum(axis=1, keepdims=True))), axis=1)))


def _check_sgd_steps(target):
    """Three steps on one three-word sentence against plain SGD from the same starting weights."""
    rng = np.random.RandomState(7)
    vectors = {w: rng.standard_normal(50) * s for w, s in (("soup", 1.0), ("is", 0.5), ("hot", 2.0))}
    X, Y, lr, steps = np.array(["soup is hot"]), np.array([4]), 0.05, 3
    with contextlib.redirect_stdout(io.StringIO()):
        _, W0, b0 = target(X, Y, vectors, learning_rate=lr, num_iterations=0)
        _, W, b = target(X, Y, vectors, learning_rate=lr, num_iterations=steps)
    assert_shape(W, (5, 50), "W")
    assert_shape(b, (5,), "b")
    averages = np.mean([vectors[w] for w in ("soup", "is", "hot")], axis=0)[None, :]
    Y_oh = np.eye(5)[Y]
    assert_close(b0, np.zeros(5), "b with num_iterations=0 (it starts at zero and the loop should run "
                 "num_iterations times, here not at all)")
    W_ref, b_ref = _sgd(W0, b0, averages, Y_oh, lr, steps)
    if np.allclose(W, W0) and np.allclose(b, b0):
        raise GradedTestFailure("training changed neither W nor b: loop over all m examples (range(m)) in each of "
                                "the num_iterations passes, and update W and b for each")
    if np.allclose(b, b0):
        raise GradedTestFailure("b never changes during training: update it too, b -= learning_rate * db with db = dz")
    if _cost(W, b, averages, Y_oh) > _cost(W0, b0, averages, Y_oh):
        raise GradedTestFailure("training makes the cost larger: the gradient's sign is wrong "
                                "(dz = a - Y_oh, and W -= learning_rate * dW)")
    W_fixed, b_fixed = _sgd(W0, b0, averages, Y_oh, 0.01, steps)
    if np.allclose(W, W_fixed) and np.allclose(b, b_fixed):
        raise GradedTestFailure("with learning_rate=0.05, W and b moved as if it were 0.01: use the learning_rate "
                                "argument in both updates")
    W_sum, b_sum = _sgd(W0, b0, averages * 3, Y_oh, lr, steps)
    if np.allclose(W, W_sum) and np.allclose(b, b_sum):
        raise GradedTestFailure("W and b moved as if avg were the sum of the word vectors: use their average, "
                                "sentence_to_avg")
    assert_close(b, b_ref, f"b after {steps} SGD steps (learning rate {lr}) on one sentence: check dz = a - Y_oh, "
                 "db = dz, that the forward pass adds b, and that the loop runs num_iterations times", atol=1e-8)
    assert_close(W, W_ref, f"W after {steps} SGD steps on one sentence: check dW = dz avg^T, with avg the average "
                 "(not the sum) of the word vectors", atol=1e-8)


def model_test(target):
    _check_sgd_steps(target)
    vectors = _class_vectors(seed=1)
    X = np.array([f"w{c}{k} w{c}{1 - k}" for c in range(5) for k in range(2)] + [f"w{c}1" for c in range(5)])
    Y = np.array([c for c in range(5) for _ in range(2)] + list(range(5)))
    with contextlib.redirect_stdout(io.StringIO()):
        pred, W, b = target(X, Y, vectors, learning_rate=0.01, num_iterations=101)
        again, W2, _ = target(X, Y, vectors, learning_rate=0.01, num_iterations=101)
        _, W0, b0 = target(X, Y, vectors, learning_rate=0.01, num_iterations=0)
    assert_shape(pred, (len(Y),), "pred")
    assert_close(b0, np.zeros(5), "b before any training (it starts at zero)")
    if not np.array_equal(pred, Y):
        raise GradedTestFailure(f"after training, the easy training set should be classified perfectly; got {pred}")
    assert_close(W2, W, "W of a second identical run (training must be seeded)")
    passed()


def sentences_to_indices_test(target):
    word_to_index = {"a": 1, "cat": 2, "sat": 3, "on": 4, "mat": 5}
    result = target(np.array(["A cat sat.", "on a mat", "cat"]), word_to_index, 4)
    expected = [[1, 2, 3, 0], [4, 1, 5, 0], [2, 0, 0, 0]]
    if not (isinstance(result, np.ndarray) and np.issubdtype(result.dtype, np.integer)):
        raise GradedTestFailure("X_indices should be a numpy array of integers")
    assert_close(result, expected, "X_indices for ['A cat sat.', 'on a mat', 'cat'] with max_len 4")
    result, messages = _warns(target, np.array(["a cat sat on a mat"]), word_to_index, 3)
    assert_close(result, [[1, 2, 3]], "X_indices of a sentence longer than max_len (cut to its first words)")
    if not messages:
        raise GradedTestFailure("cutting a sentence longer than max_len should raise a warning")
    result, messages = _warns(target, np.array(["on a mat"]), word_to_index, 3)
    assert_close(result, [[4, 1, 5]], "X_indices of a sentence of exactly max_len words")
    if messages:
        raise GradedTestFailure(f"a sentence of exactly max_len words fits and should not warn (use >, not >=); "
                                f"got the warning {messages[0]!r}")
    result, messages = _warns(target, np.array(["a dog sat"]), word_to_index, 4)
    assert_close(result, [[1, 3, 0, 0]], "X_indices when an unknown word ('dog') is skipped")
    if not any("dog" in m for m in messages):
        raise GradedTestFailure("an unknown word should be skipped with a warning naming it")
    _value_error(target, np.array(["cat"]), word_to_index, 0, what="max_len 0")
    passed()


def _tiny_vocabulary(dim=4, n=6, seed=0):
    rng = np.random.RandomState(seed)
    words = [f"word{i}" for i in range(n)]
    return {w: rng.standard_normal(dim) for w in words}, {w: i + 1 for i, w in enumerate(words)}


def pretrained_embedding_layer_test(target):
    import keras
    vectors, word_to_index = _tiny_vocabulary()
    layer = target(vectors, word_to_index)
    if not isinstance(layer, keras.layers.Embedding):
        raise GradedTestFailure(f"expected a keras.layers.Embedding, got {type(layer).__name__}")
    if (layer.input_dim, layer.output_dim) != (7, 4):
        raise GradedTestFailure(f"input_dim should be len(word_to_index) + 1 = 7 and output_dim 4, got "
                                f"{layer.input_dim} and {layer.output_dim}")
    if layer.trainable:
        raise GradedTestFailure("the embedding layer should not be trainable (trainable=False)")
    if not layer.mask_zero:
        raise GradedTestFailure("the embedding layer should mask the padding index 0 (mask_zero=True)")
    matrix = layer.get_weights()[0]
    assert_close(matrix[0], np.zeros(4), "row 0 (padding) of the embedding matrix")
    for word, i in word_to_index.items():
        assert_close(matrix[i], vectors[word], f"row {i} of the embedding matrix (the vector of {word!r})", atol=1e-6)
    passed()


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _lstm(x, mask, kernel, recurrent, bias):
    """Keras' LSTM (gates i, f, c, o) over x (m, T, n), keeping the state where mask is False; all hidden states."""
    m, T, _ = x.shape
    units = recurrent.shape[0]
    h, c, states = np.zeros((m, units)), np.zeros((m, units)), []
    for t in range(T):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f = _sigmoid(z[:, :units]), _sigmoid(z[:, units:2 * units])
        g, o = np.tanh(z[:, 2 * units:3 * units]), _sigmoid(z[:, 3 * units:])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        keep = mask[:, t:t + 1]
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
        states.append(h)
    return np.stack(states, axis=1)


def _check_v2_outputs(model, vectors, word_to_index):
    """Give the LSTMs and the Dense layer known weights; compare the model with a NumPy forward pass."""
    import keras
    rng = np.random.RandomState(3)
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    weights = []
    for layer in lstms + dense:
        # realistic sizes: pre-activations of order 1, so tanh and the gates are neither linear nor saturated
        scales = [0.3, 0.1, 0.1] if isinstance(layer, keras.layers.LSTM) else [0.3, 0.3]
        new = [rng.uniform(-s, s, w.shape) for s, w in zip(scales, layer.get_weights())]
        layer.set_weights(new)
        weights.append(new)
    x = np.array([[1, 2, 3, 4], [5, 6, 0, 0], [2, 0, 0, 0]])
    got = np.asarray(model(x, training=False))
    matrix = np.zeros((len(word_to_index) + 1, 50))
    for word, i in word_to_index.items():
        matrix[i] = vectors[word]
    mask = x != 0
    h1 = _lstm(matrix[x], mask, *weights[0])
    h2 = _lstm(h1, mask, *weights[1])[:, -1]
    z = h2 @ weights[2][0] + weights[2][1]
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    if np.allclose(got, np.exp(expected) / np.exp(expected).sum(axis=1, keepdims=True), atol=1e-5):
        raise GradedTestFailure("the model applies softmax twice: use Dense(5) without an activation, "
                                "then the softmax Activation")
    assert_close(got, expected, "the model's probabilities with known weights in its LSTM and Dense layers "
                 "(compared with a NumPy forward pass): check that the embedding is pretrained_embedding_layer(...), "
                 "that each layer takes the previous one's output, the LSTMs' default activations, "
                 "and a single softmax at the end", atol=1e-4, rtol=1e-3)


def Emojify_V2_test(target):
    vectors, word_to_index = _tiny_vocabulary(dim=50)
    model = target((4,), vectors, word_to_index)
    lstm1 = 4 * 128 * (50 + 128 + 1)
    lstm2 = 4 * 128 * (128 + 128 + 1)
    expected = [
        ["InputLayer", (None, 4), 0, {}],
        ["Embedding", (None, 4, 50), 7 * 50, {"trainable": False}],
        ["GaussianNoise", (None, 4, 50), 0, {"stddev": 0.2}],
        ["LSTM", (None, 4, 128), lstm1, {"units": 128, "return_sequences": True}],
        ["Dropout", (None, 4, 128), 0, {"rate": 0.5}],
        ["LSTM", (None, 128), lstm2, {"units": 128, "return_sequences": False}],
        ["Dropout", (None, 128), 0, {"rate": 0.5}],
        ["Dense", (None, 5), 128 * 5 + 5, {"units": 5}],
        ["Activation", (None, 5), 0, {"activation": "softmax"}],
    ]
    with contextlib.redirect_stdout(io.StringIO()):  # compare_model prints its own line when the layers match
        compare_model(model, expected)
    _check_v2_outputs(model, vectors, word_to_index)
    passed()
