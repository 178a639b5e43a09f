"""Graded-cell tests for "Neural Machine Translation of Dates, with Attention"."""
import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_shape, compare_model, passed


def one_step_attention_test(target):
    rng = np.random.RandomState(0)
    a = rng.standard_normal((2, 30, 64)).astype(np.float32)
    s_prev = rng.standard_normal((2, 64)).astype(np.float32)
    context = np.asarray(target(a, s_prev))
    assert_shape(context, (2, 1, 64), "context")
    result = target(a, s_prev, return_alphas=True)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradedTestFailure("with return_alphas=True, one_step_attention should return (context, alphas)")
    context, alphas = (np.asarray(x) for x in result)
    assert_shape(alphas, (2, 30, 1), "alphas")
    if np.any(alphas < 0):
        raise GradedTestFailure("attention weights must not be negative: use the softmax `activator`")
    assert_close(alphas.sum(axis=1), np.ones((2, 1)), "the sum of the attention weights over the 30 input positions",
                 atol=1e-5)
    assert_close(context[:, 0, :], np.sum(alphas * a, axis=1), "context (the weighted sum of a over time)",
                 atol=1e-5, rtol=1e-4)
    passed()


def modelf_test(target):
    Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size = 30, 10, 32, 64, 44, 11
    model = target(Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size)
    expected = [
        ["InputLayer", (None, Tx, human_vocab_size), 0, {}],
        ["InputLayer", (None, n_s), 0, {}],
        ["Bidirectional", (None, Tx, 2 * n_a), 2 * 4 * n_a * (human_vocab_size + n_a + 1), {}],
        ["RepeatVector", (None, Tx, n_s), 0, {"n": Tx}],
        ["Concatenate", (None, Tx, 2 * n_a + n_s), 0, {}],
        ["Dense", (None, Tx, 10), (2 * n_a + n_s + 1) * 10, {"activation": "tanh"}],
        ["Dense", (None, Tx, 1), 11, {"activation": "relu"}],
        ["Softmax", (None, Tx, 1), 0, {}],
        ["Dot", (None, 1, 2 * n_a), 0, {"axes": 1}],
        ["InputLayer", (None, n_s), 0, {}],
        ["LSTM", [(None, n_s)] * 3, 4 * n_s * (2 * n_a + n_s + 1), {"units": n_s, "return_state": True}],
        ["Dense", (None, machine_vocab_size), (n_s + 1) * machine_vocab_size, {"activation": "softmax"}],
    ]
    if len(model.outputs) != Ty:
        raise GradedTestFailure(f"the model should have Ty = {Ty} outputs, one per character, got {len(model.outputs)}")
    for i, output in enumerate(model.outputs):
        if tuple(output.shape) != (None, machine_vocab_size):
            raise GradedTestFailure(f"output {i} has shape {tuple(output.shape)}, expected (None, {machine_vocab_size})")
    if [tuple(i.shape) for i in model.inputs] != [(None, Tx, human_vocab_size), (None, n_s), (None, n_s)]:
        raise GradedTestFailure("the inputs should be [X, s0, c0] of shapes (Tx, human_vocab_size), (n_s,), (n_s,)")
    compare_model(model, expected)
