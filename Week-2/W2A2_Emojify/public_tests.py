"""Graded-cell tests for "Emojify: from a Sentence to an Emoji".

Tiny hand-made vocabularies with known answers; Keras models are compared layer by layer.
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
    assert_close(target("I love you!", TINY), [1.0, 4 / 3], "the average of 'I love you!'")
    assert_close(target("love", TINY), [0.0, 2.0], "the average of a one-word sentence")
    avg, messages = _warns(target, "i really love you", TINY)
    assert_close(avg, [1.0, 4 / 3], "the average when an unknown word ('really') is skipped")
    if not any("really" in m for m in messages):
        raise GradedTestFailure("an unknown word should be skipped with a warning naming it")
    _value_error(target, "", TINY, what="an empty sentence")
    _value_error(target, "xyzzy plugh", TINY, what="a sentence with no known word")
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
    X = np.array([f"w{c}0 w{c}1" for c in range(5)])
    W = np.array([np.mean([vectors[f"w{c}0"], vectors[f"w{c}1"]], axis=0) for c in range(5)])
    with contextlib.redirect_stdout(io.StringIO()) as out:
        pred = target(X, np.arange(5), W, np.zeros(5), vectors)
    assert_shape(pred, (5,), "pred")
    if not np.array_equal(pred, np.arange(5)):
        raise GradedTestFailure(f"with W's rows at the class averages, the classes should be 0..4, got {pred}")
    if "Accuracy: 1.0000" not in out.getvalue():
        raise GradedTestFailure("predict should print the accuracy when Y is given ('Accuracy: 1.0000' here)")
    shifted = target(X, None, W, np.array([0.0, 0.0, 1e6, 0.0, 0.0]), vectors)
    if not np.array_equal(shifted, np.full(5, 2)):
        raise GradedTestFailure("the bias b must be added to W . avg")
    passed()


def model_test(target):
    vectors = _class_vectors(seed=1)
    X = np.array([f"w{c}{k} w{c}{1 - k}" for c in range(5) for k in range(2)] + [f"w{c}1" for c in range(5)])
    Y = np.array([c for c in range(5) for _ in range(2)] + list(range(5)))
    with contextlib.redirect_stdout(io.StringIO()):
        pred, W, b = target(X, Y, vectors, learning_rate=0.01, num_iterations=101)
        again, W2, _ = target(X, Y, vectors, learning_rate=0.01, num_iterations=101)
    assert_shape(W, (5, 50), "W")
    assert_shape(b, (5,), "b")
    assert_shape(pred, (len(Y),), "pred")
    if not np.array_equal(pred, Y):
        raise GradedTestFailure(f"after training, the easy training set should be classified perfectly; got {pred}")
    assert_close(W2, W, "W of a second identical run (training must be seeded)")
    with contextlib.redirect_stdout(io.StringIO()):
        _, W0, b0 = target(X, Y, vectors, learning_rate=0.01, num_iterations=0)
    assert_close(b0, np.zeros(5), "b before any training (it starts at zero)")
    if np.allclose(W0, W):
        raise GradedTestFailure("training should change W")
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
    compare_model(model, expected)
