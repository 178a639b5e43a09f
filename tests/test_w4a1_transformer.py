"""Tests of the W4A1 notebook's Transformer: positional encodings against the formula, masks, attention from
scratch against keras.layers.MultiHeadAttention with copied weights, the blocks' masking properties, and the
weights shipped in data/ on held-out dates."""
import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from utils.date_transformer import WEIGHTS, build_transformer, date_splits, held_out_exact_match
from utils.notebook_tools import ROOT, load_definitions, load_public_tests

NOTEBOOK = ROOT / "Week-4/W4A1_Transformer/Transformer_Network.ipynb"


@pytest.fixture(scope="module")
def w4():
    return load_definitions(NOTEBOOK)


@pytest.fixture(scope="module")
def copy_weights():
    return load_public_tests(NOTEBOOK).copy_keras_attention_weights


def as_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=float)


@pytest.mark.parametrize("positions, d", [(1, 2), (7, 4), (50, 64), (12, 7)])
def test_positional_encoding_matches_the_formula(w4, positions, d):
    encoding = w4.positional_encoding(positions, d)
    assert encoding.shape == (1, positions, d) and encoding.dtype == np.float32
    for pos in range(positions):
        for k in range(d):
            angle = pos / 10000 ** (2 * (k // 2) / d)
            expected = math.sin(angle) if k % 2 == 0 else math.cos(angle)
            assert encoding[0, pos, k] == pytest.approx(expected, abs=1e-6)


def test_positional_encodings_of_a_shift_are_a_rotation(w4):
    encoding = w4.positional_encoding(40, 16)[0].astype(float)
    for shift in (1, 5, 13):
        for pos in (0, 3, 20):
            for i in range(8):
                angle = shift / 10000 ** (2 * i / 16)
                rotation = np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
                np.testing.assert_allclose(encoding[pos + shift, 2 * i:2 * i + 2],
                                           rotation @ encoding[pos, 2 * i:2 * i + 2], atol=1e-5)


def test_masks(w4):
    ids = np.random.RandomState(0).randint(0, 4, size=(5, 9))
    np.testing.assert_array_equal(as_numpy(w4.create_padding_mask(ids)), (ids != 0)[:, None, :])
    for n in (1, 2, 6):
        np.testing.assert_array_equal(as_numpy(w4.create_look_ahead_mask(n)), np.tril(np.ones((1, n, n))))


def test_attention_weights_are_zero_where_masked_and_sum_to_one(w4):
    rng = np.random.RandomState(1)
    q, k, v = rng.standard_normal((3, 4, 5)), rng.standard_normal((3, 6, 5)), rng.standard_normal((3, 6, 2))
    mask = (rng.rand(3, 4, 6) < 0.6).astype(float)
    mask[..., 0] = 1  # every query may look somewhere
    _, weights = w4.scaled_dot_product_attention(q, k, v, mask)
    weights = as_numpy(weights)
    assert np.all(weights[mask == 0] < 1e-30)
    np.testing.assert_allclose(weights.sum(axis=-1), 1, atol=1e-12)


def test_a_query_with_every_key_masked_gets_equal_weights(w4):
    q, k, v = np.ones((1, 2, 3)), np.eye(3)[None], np.arange(9.0).reshape(1, 3, 3)
    mask = np.array([[[0, 0, 0], [1, 1, 1]]], dtype=float)
    _, weights = w4.scaled_dot_product_attention(q, k, v, mask)
    np.testing.assert_allclose(as_numpy(weights)[0, 0], [1 / 3] * 3, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(heads=st.integers(1, 4), key_dim=st.integers(1, 6), seq_q=st.integers(2, 6), seq_k=st.integers(2, 7),
       d=st.integers(2, 9), mask_kind=st.sampled_from(["none", "padding", "full"]), self_attention=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_attention_from_scratch_equals_keras(w4, copy_weights, heads, key_dim, seq_q, seq_k, d, mask_kind,
                                             self_attention, seed):
    rng = np.random.RandomState(seed)
    query = rng.standard_normal((2, seq_q, d)).astype(np.float32)
    value = query if self_attention else rng.standard_normal((2, seq_k, d)).astype(np.float32)
    seq_k = value.shape[1]
    mask = None
    if mask_kind == "padding":
        mask = (rng.rand(2, 1, seq_k) < 0.7).astype(np.float32)
    elif mask_kind == "full":
        mask = (rng.rand(2, seq_q, seq_k) < 0.7).astype(np.float32)
    if mask is not None:
        mask[..., 0] = 1
    reference = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=key_dim)
    reference(query, value)
    layer = w4.MultiHeadAttentionFromScratch(num_heads=heads, key_dim=key_dim)
    layer(query, value)
    copy_weights(reference, layer)
    expected, expected_scores = reference(query, value, attention_mask=mask, return_attention_scores=True)
    output, scores = layer(query, value, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(as_numpy(scores), as_numpy(expected_scores), atol=1e-5)
    np.testing.assert_allclose(as_numpy(output), as_numpy(expected), atol=1e-4, rtol=1e-4)


def test_attention_from_scratch_with_separate_keys_equals_keras(w4, copy_weights):
    rng = np.random.RandomState(2)
    query, value, key = (rng.standard_normal(s).astype(np.float32) for s in [(2, 3, 4), (2, 5, 4), (2, 5, 4)])
    reference = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    reference(query, value, key)
    layer = w4.MultiHeadAttentionFromScratch(num_heads=2, key_dim=3)
    layer(query, value, key)
    copy_weights(reference, layer)
    np.testing.assert_allclose(as_numpy(layer(query, value, key)), as_numpy(reference(query, value, key)), atol=1e-5)


def small_transformer(w4, dropout_rate=0.0):
    keras.utils.set_random_seed(3)
    return w4.Transformer(num_layers=2, embedding_dim=8, num_heads=2, fully_connected_dim=16, input_vocab_size=9,
                          target_vocab_size=6, max_positional_encoding_input=12, max_positional_encoding_target=8,
                          dropout_rate=dropout_rate)


def run(w4, model, sources, outputs, training=False):
    probabilities, weights = model(sources, outputs, training=training,
                                   enc_padding_mask=w4.create_padding_mask(sources),
                                   look_ahead_mask=w4.create_look_ahead_mask(outputs.shape[1]),
                                   dec_padding_mask=w4.create_padding_mask(sources))
    return as_numpy(probabilities), {name: as_numpy(w) for name, w in weights.items()}


def test_transformer_ignores_padding_and_the_future(w4):
    model = small_transformer(w4)
    sources = np.array([[3, 4, 5, 0, 0, 0], [2, 2, 6, 7, 1, 8]])
    outputs = np.array([[1, 3, 2, 4], [1, 2, 2, 5]])
    probabilities, weights = run(w4, model, sources, outputs)
    more_padding = np.concatenate([sources, np.zeros((2, 4), int)], axis=1)
    np.testing.assert_allclose(run(w4, model, more_padding, outputs)[0], probabilities, atol=1e-5)
    new_future = outputs.copy()
    new_future[:, 2:] = 5
    np.testing.assert_allclose(run(w4, model, sources, new_future)[0][:, :2], probabilities[:, :2], atol=1e-5)
    for layer in (1, 2):
        assert np.all(weights[f"decoder_layer{layer}_block2_decenc_att"][0, :, :, 3:] < 1e-6)
        assert np.all(np.triu(weights[f"decoder_layer{layer}_block1_self_att"], k=1) < 1e-6)


def test_dropout_acts_only_when_training(w4):
    model = small_transformer(w4, dropout_rate=0.5)
    sources, outputs = np.array([[3, 4, 5, 6]]), np.array([[1, 3, 2]])
    first, second = run(w4, model, sources, outputs)[0], run(w4, model, sources, outputs)[0]
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(run(w4, model, sources, outputs, training=True)[0], first)


@pytest.mark.parametrize("layer", ["EncoderLayer", "DecoderLayer"])
def test_heads_must_divide_the_embedding(w4, layer):
    with pytest.raises(ValueError, match="multiple of num_heads"):
        getattr(w4, layer)(embedding_dim=10, num_heads=4, fully_connected_dim=8)


def test_shipped_weights_translate_held_out_dates(w4):
    transformer, _ = build_transformer(w4)
    transformer.load_weights(WEIGHTS)
    _, test_set = date_splits()
    assert held_out_exact_match(w4, transformer, test_set[:300]) >= 0.99
