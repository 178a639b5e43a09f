"""Tests of utils/char_lm.py: the language model's passes, the minibatch trainer, evaluation and bad input."""
import numpy as np
import pytest

from utils.char_lm import (WEIGHTS, batch_loss_and_gradients, bigram_loss, bigram_probabilities, build_vocabulary,
                           encode_batch, encode_name, initialize_parameters, load_names, per_char_loss,
                           rnn_backward, rnn_forward, train_dev_split, train_minibatch)
from utils.gradient_check import numerical_gradient, relative_error

NAMES = ["abc", "bad", "cabbage", "ed", "dace"]
CHAR_TO_IX, IX_TO_CHAR = build_vocabulary(NAMES)
V = len(CHAR_TO_IX)


def random_parameters(n_a=6, seed=0):
    parameters = initialize_parameters(n_a, V, V, seed=seed)
    rng = np.random.RandomState(seed + 1)
    return {k: v + rng.standard_normal(v.shape) * 0.3 for k, v in parameters.items()}


def test_vocabulary_is_sorted_with_newline_first():
    assert CHAR_TO_IX["\n"] == 0 and list(CHAR_TO_IX) == sorted(CHAR_TO_IX)
    assert all(IX_TO_CHAR[i] == c for c, i in CHAR_TO_IX.items())


def test_encode_name_shifts_targets_and_ends_with_newline():
    X, Y = encode_name("bad", CHAR_TO_IX)
    assert X == [None, CHAR_TO_IX["b"], CHAR_TO_IX["a"], CHAR_TO_IX["d"]]
    assert Y == X[1:] + [CHAR_TO_IX["\n"]]
    with pytest.raises(ValueError, match=r"outside the vocabulary: \['z'\]"):
        encode_name("zab", CHAR_TO_IX)


def test_rnn_backward_matches_finite_differences():
    parameters = random_parameters()
    X, Y = encode_name("cabbage", CHAR_TO_IX)
    a0 = np.random.RandomState(2).standard_normal((6, 1)) * 0.1
    _, cache = rnn_forward(X, Y, a0, parameters, V)
    gradients, _ = rnn_backward(X, Y, parameters, cache)
    for k in WEIGHTS:
        numeric = numerical_gradient(lambda: rnn_forward(X, Y, a0, parameters, V)[0], parameters[k])
        assert relative_error(gradients["d" + k], numeric) < 1e-7, k


def test_minibatch_gradients_equal_the_sum_of_per_example_gradients():
    parameters = random_parameters()
    loss, gradients = batch_loss_and_gradients(parameters, *encode_batch(NAMES, CHAR_TO_IX))
    total, summed = 0.0, {"d" + k: 0.0 for k in WEIGHTS}
    for name in NAMES:
        X, Y = encode_name(name, CHAR_TO_IX)
        example_loss, cache = rnn_forward(X, Y, np.zeros((6, 1)), parameters, V)
        example_gradients, _ = rnn_backward(X, Y, parameters, cache)
        total += example_loss
        summed = {k: summed[k] + example_gradients[k] for k in summed}
    assert loss == pytest.approx(total, rel=1e-12)
    for k in summed:
        np.testing.assert_allclose(gradients[k], summed[k], atol=1e-12)


def test_padding_is_masked():
    X, Y, mask = encode_batch(["ab", "cabbage"], CHAR_TO_IX)
    assert X.shape == Y.shape == mask.shape == (2, 8)
    assert mask[0].tolist() == [1, 1, 1, 0, 0, 0, 0, 0] and X[0, 0] == -1 and X[0, 3] == -1


def test_minibatch_training_lowers_the_loss_and_is_reproducible():
    before = per_char_loss(initialize_parameters(8, V, V), NAMES, CHAR_TO_IX)
    trained = train_minibatch(NAMES, CHAR_TO_IX, n_a=8, epochs=60, batch_size=2, progress=False)
    again = train_minibatch(NAMES, CHAR_TO_IX, n_a=8, epochs=60, batch_size=2, progress=False)
    after = per_char_loss(trained, NAMES, CHAR_TO_IX)
    assert after < before - 1.0
    np.testing.assert_array_equal(trained["Waa"], again["Waa"])


def test_bigram_model_is_a_distribution_and_beats_uniform_on_its_training_data():
    probabilities = bigram_probabilities(NAMES, CHAR_TO_IX)
    assert probabilities.shape == (V + 1, V)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert bigram_loss(probabilities, NAMES, CHAR_TO_IX) < np.log(V)


def test_split_is_disjoint_and_reproducible():
    names = [f"name{chr(97 + i)}" for i in range(20)]
    train, dev = train_dev_split(names, dev_fraction=0.25, seed=3)
    assert len(dev) == 5 and not set(train) & set(dev) and sorted(train + dev) == sorted(names)
    assert train_dev_split(names, dev_fraction=0.25, seed=3) == (train, dev)


def test_load_names_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        load_names(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match="empty.txt holds no names"):
        load_names(empty)
    names = tmp_path / "names.txt"
    names.write_text("Aardonyx\n  bambiraptor \n")
    assert load_names(names) == ["aardonyx", "bambiraptor"]
