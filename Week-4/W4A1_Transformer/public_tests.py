"""Graded-cell tests for "The Transformer, built, checked and trained"."""
import math

import keras
import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_keys, assert_shape, passed


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=float)


def _random(shape, seed):
    return np.random.RandomState(seed).standard_normal(shape).astype(np.float32)


def _reference_attention(q, k, v, mask=None):
    """Attention written as loops over the queries: a second, independent implementation."""
    q, k, v = (np.asarray(a, dtype=float) for a in (q, k, v))
    lead = q.shape[:-2]
    mask = np.ones(lead + (q.shape[-2], k.shape[-2])) if mask is None else np.broadcast_to(
        mask, lead + (q.shape[-2], k.shape[-2]))
    output = np.zeros(lead + (q.shape[-2], v.shape[-1]))
    weights = np.zeros(lead + (q.shape[-2], k.shape[-2]))
    for index in np.ndindex(*lead):
        for i in range(q.shape[-2]):
            scores = np.array([q[index][i] @ k[index][j] for j in range(k.shape[-2])]) / math.sqrt(q.shape[-1])
            scores = np.where(mask[index][i] > 0, scores, -1e9)
            w = np.exp(scores - scores.max())
            weights[index][i] = w / w.sum()
            output[index][i] = weights[index][i] @ v[index]
    return output, weights


def get_angles_test(target):
    angles = target(np.array([[1]]), np.array([[0, 1, 2, 3]]), 4)
    assert_close(angles, [[1.0, 1.0, 0.01, 0.01]], "get_angles(pos=1, k=0..3, d=4) (dimensions 2i and 2i+1 "
                 "share the angle pos / 10000^(2i/d), with i = k // 2)")
    pos, k = np.arange(5)[:, None], np.arange(8)[None, :]
    angles = target(pos, k, 8)
    assert_shape(angles, (5, 8), "get_angles for 5 positions and d=8")
    expected = [[p / 10000 ** (2 * (j // 2) / 8) for j in range(8)] for p in range(5)]
    assert_close(angles, expected, "get_angles for 5 positions and d=8 (use the argument d)")
    passed()


def positional_encoding_test(target, get_angles):
    encoding = target(8, 16)
    assert_shape(encoding, (1, 8, 16), "positional_encoding(8, 16)")
    if np.asarray(encoding).dtype != np.float32:
        raise GradedTestFailure(f"positional_encoding should return float32, got {np.asarray(encoding).dtype}")
    expected = [[math.sin(p / 10000 ** (j / 16)) if j % 2 == 0 else math.cos(p / 10000 ** ((j - 1) / 16))
                 for j in range(16)] for p in range(8)]
    assert_close(encoding[0, 0], [0.0, 1.0] * 8, "the encoding of position 0 (sin 0 = 0, cos 0 = 1)")
    assert_close(encoding[0], expected, "positional_encoding(8, 16): positions 0..7, sin on even dimensions, cos "
                 "on odd ones, get_angles called with d",
                 atol=1e-6)
    passed()


def create_padding_mask_test(target):
    x = np.array([[7, 6, 0, 0, 1], [1, 2, 3, 0, 0], [0, 0, 0, 4, 5]])
    expected = [[[1, 1, 0, 0, 1]], [[1, 1, 1, 0, 0]], [[0, 0, 0, 1, 1]]]
    mask = target(x)
    assert_shape(mask, (3, 1, 5), "the padding mask of a (3, 5) batch")
    assert_close(_np(mask), expected, "the padding mask (1 for real tokens, 0 for padding id 0)")
    passed()


def create_look_ahead_mask_test(target):
    assert_shape(target(3), (1, 3, 3), "create_look_ahead_mask(3)")
    assert_close(_np(target(3)), [[[1, 0, 0], [1, 1, 0], [1, 1, 1]]],
                 "create_look_ahead_mask(3) (row t allows positions 0..t)")
    assert_close(_np(target(1)), [[[1]]], "create_look_ahead_mask(1)")
    passed()


def scaled_dot_product_attention_test(target):
    q = np.array([[1, 0, 1, 1], [0, 1, 1, 1], [1, 0, 0, 1]], dtype=np.float32)
    k = np.array([[1, 1, 0, 1], [1, 0, 1, 1], [0, 1, 1, 0], [0, 0, 0, 1]], dtype=np.float32)
    v = np.array([[0, 0], [1, 0], [1, 0], [1, 1]], dtype=np.float32)
    output, weights = target(q, k, v, None)
    expected_output, expected_weights = _reference_attention(q, k, v)
    assert_shape(weights, (3, 4), "attention_weights for 3 queries and 4 keys")
    assert_close(_np(weights).sum(axis=-1), np.ones(3), "the sum of each query's weights over the keys "
                 "(take the softmax over the last axis)", atol=1e-5)
    assert_close(_np(weights), expected_weights, "attention_weights without a mask", atol=1e-6, rtol=1e-5)
    assert_close(_np(output), expected_output, "output without a mask", atol=1e-6, rtol=1e-5)

    mask = np.array([[1, 1, 0, 1]], dtype=np.float32)  # the third key is hidden from every query
    output, weights = target(q, k, v, mask)
    expected_output, expected_weights = _reference_attention(q, k, v, mask)
    assert_close(_np(weights)[:, 2], np.zeros(3), "the weights on a masked key (mask 0 means: do not attend; "
                 "add (1 - mask) * -1e9 to the scores)")
    assert_close(_np(weights).sum(axis=-1), np.ones(3), "the sum of each query's weights with a mask "
                 "(add the mask to the scores before the softmax)", atol=1e-5)
    assert_close(_np(weights), expected_weights, "attention_weights with a mask", atol=1e-6, rtol=1e-5)
    assert_close(_np(output), expected_output, "output with a mask", atol=1e-6, rtol=1e-5)

    q4, k4, v4 = _random((2, 3, 5, 8), 0), _random((2, 3, 6, 8), 1), _random((2, 3, 6, 4), 2)
    mask4 = np.tril(np.ones((5, 6), dtype=np.float32))[None, None]
    output, weights = target(q4, k4, v4, mask4)
    expected_output, expected_weights = _reference_attention(q4, k4, v4, mask4)
    assert_shape(output, (2, 3, 5, 4), "output for (batch, heads, 5 queries, 6 keys)")
    assert_close(_np(weights).sum(axis=-1), np.ones((2, 3, 5)), "the sum of each query's weights", atol=1e-5)
    assert_close(_np(weights), expected_weights, "attention_weights with batch and head axes (divide by sqrt(d_k)?)",
                 atol=1e-5, rtol=1e-4)
    assert_close(_np(output), expected_output, "output with batch and head axes", atol=1e-5, rtol=1e-4)
    passed()


def copy_keras_attention_weights(keras_layer, layer):
    """Copy the weights of a built keras.layers.MultiHeadAttention into a built MultiHeadAttentionFromScratch."""
    weights = keras_layer.get_weights()  # query, key, value kernels and biases, then the output's
    for i, dense in enumerate([layer.query_dense, layer.key_dense, layer.value_dense]):
        kernel, bias = weights[2 * i], weights[2 * i + 1]
        dense.set_weights([kernel.reshape(kernel.shape[0], -1), bias.reshape(-1)])
    kernel, bias = weights[6], weights[7]
    layer.output_dense.set_weights([kernel.reshape(-1, kernel.shape[-1]), bias])


def MultiHeadAttentionFromScratch_test(target):
    # Keys unlike values (and of another length than the queries), so that a mix-up of key and value shows.
    query, value, key = _random((2, 4, 6), 3), _random((2, 5, 6), 4), 2.0 * _random((2, 5, 6), 10)
    reference = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    reference(query, value, key=key)
    layer = target(num_heads=2, key_dim=3)
    output = layer(query, value, key=key)
    assert_shape(output, (2, 4, 6), "the output of cross-attention (2 heads of 3, queries (2, 4, 6))")
    copy_keras_attention_weights(reference, layer)
    expected, expected_scores = reference(query, value, key=key, return_attention_scores=True)
    output, scores = layer(query, value, key=key, return_attention_scores=True)
    assert_shape(scores, (2, 2, 4, 5), "the attention scores (batch, heads, queries, keys)")
    assert_close(_np(scores), _np(expected_scores),
                 "the attention scores, compared with Keras' layer holding the same weights (project the keys "
                 "from `key`, not `value`; split heads as (batch, seq_len, heads, key_dim) then move the heads "
                 "axis to position 1)", atol=1e-5, rtol=1e-4)
    assert_close(_np(output), _np(expected),
                 "the output, compared with Keras' layer (project the values from `value`; combine the heads "
                 "by moving the heads axis back before the reshape; finish with output_dense)",
                 atol=1e-5, rtol=1e-4)
    # Masks that differ between the two examples of the batch, so that a mask broadcast onto the heads shows.
    padding = np.array([[[1, 1, 1, 0, 0]], [[1, 1, 1, 1, 1]]], dtype=np.float32)
    causal = np.stack([np.tril(np.ones((4, 5), dtype=np.float32)), np.triu(np.ones((4, 5), dtype=np.float32))])
    for mask, name in [(padding, "a (batch, 1, keys) padding mask"), (causal, "a (batch, queries, keys) mask")]:
        expected, expected_scores = reference(query, value, key=key, attention_mask=mask,
                                              return_attention_scores=True)
        output, scores = layer(query, value, key=key, attention_mask=mask, return_attention_scores=True)
        assert_shape(scores, (2, 2, 4, 5), f"the attention scores with {name} (batch, heads, queries, keys)")
        hidden = np.broadcast_to(mask[:, None] == 0, (2, 2, 4, 5))
        if np.abs(_np(scores)[hidden]).max() > 1e-6:
            raise GradedTestFailure(f"with {name}, some heads attend to masked keys: pass the mask to "
                                    "scaled_dot_product_attention with a heads axis, ops.expand_dims(mask, axis=1)")
        assert_close(_np(scores), _np(expected_scores), f"the attention scores with {name}, compared with Keras'",
                     atol=1e-5, rtol=1e-4)
        assert_close(_np(output), _np(expected), f"the output with {name}, compared with Keras' layer",
                     atol=1e-5, rtol=1e-4)
    passed()


def _check_layer_norm(x, name):
    x = _np(x)
    assert_close(x.mean(axis=-1), np.zeros(x.shape[:-1]), f"{name}: the mean over the last axis (layer norm last)",
                 atol=1e-4)


def EncoderLayer_test(target):
    x = _random((2, 5, 8), 5)
    mask = np.array([[[1, 1, 1, 0, 0]], [[1, 1, 1, 1, 1]]], dtype=np.float32)
    layer = target(embedding_dim=8, num_heads=2, fully_connected_dim=16, dropout_rate=0.5)
    out = layer(x, training=False, mask=mask)
    assert_shape(out, (2, 5, 8), "the encoder layer's output")
    _check_layer_norm(out, "the encoder layer's output")
    z = layer.layernorm1(x + layer.mha(x, x, x, attention_mask=mask))
    expected = layer.layernorm2(z + layer.ffn(z))
    assert_close(_np(out), _np(expected), "the encoder layer's output (mha -> add & norm -> ffn -> add & norm)",
                 atol=1e-5, rtol=1e-4)
    changed = x.copy()
    changed[0, 3:] = _random((2, 8), 6)
    assert_close(_np(layer(changed, training=False, mask=mask))[0, :3], _np(out)[0, :3],
                 "the outputs at real positions after changing padded positions (pass attention_mask=mask)",
                 atol=1e-5, rtol=1e-4)
    if np.allclose(_np(layer(x, training=True, mask=mask)), _np(out)):
        raise GradedTestFailure("with training=True and dropout_rate=0.5 the output should change: "
                                "pass `training=training` to the attention and the dropout layer")
    passed()


def _stack(layers, x0, **kwargs):
    """Run x0 through a stack of encoder or decoder layers (the reference for Encoder and Decoder)."""
    x, weights = x0, {}
    for i, layer in enumerate(layers, start=1):
        if "enc_output" in kwargs:
            x, block1, block2 = layer(x, kwargs["enc_output"], training=False,
                                      look_ahead_mask=kwargs["look_ahead_mask"], padding_mask=kwargs["padding_mask"])
            weights[f"decoder_layer{i}_block1_self_att"] = block1
            weights[f"decoder_layer{i}_block2_decenc_att"] = block2
        else:
            x = layer(x, training=False, mask=kwargs["mask"])
    return x, weights


def _check_stack_input(out, embedded, positions, run, name):
    """Compare `out` with the stack run on embedding * sqrt(d) + positions, naming a likely slip if one fits."""
    d = embedded.shape[-1]
    expected = _np(run(embedded * math.sqrt(d) + positions))
    if np.allclose(_np(out), expected, atol=1e-5, rtol=1e-4):
        return
    slips = [(embedded + positions, f"the embeddings are not multiplied by sqrt(embedding_dim) = {math.sqrt(d):.3g}"),
             (embedded * d + positions, "the embeddings are multiplied by embedding_dim, not by its square root"),
             (embedded * math.sqrt(d), "the positional encoding is not added"),
             ((embedded + positions) * math.sqrt(d), "the positional encoding is scaled too: add it after the scaling")]
    for x0, slip in slips:
        if np.allclose(_np(out), _np(run(x0)), atol=1e-5, rtol=1e-4):
            raise GradedTestFailure(f"{name} differs: {slip}")
    assert_close(_np(out), expected, f"{name} (embedding * sqrt(d) + positional encoding, dropout, then every layer "
                 "in turn on the previous layer's output, with the mask)", atol=1e-5, rtol=1e-4)


def Encoder_test(target, create_padding_mask):
    ids = np.array([[4, 9, 2, 0, 0, 0], [3, 1, 5, 7, 8, 6]])
    encoder = target(num_layers=2, embedding_dim=8, num_heads=2, fully_connected_dim=16, input_vocab_size=10,
                     maximum_position_encoding=12, dropout_rate=0.1)
    mask = create_padding_mask(ids)
    out = encoder(ids, training=False, mask=mask)
    assert_shape(out, (2, 6, 8), "the encoder's output")
    if not np.allclose(_np(encoder(ids, training=False, mask=mask)), _np(out)):
        raise GradedTestFailure("with training=False the encoder's output changes from call to call: "
                                "pass `training=training` to the dropout layer and the encoder layers")
    _check_stack_input(out, _np(encoder.embedding(ids)), _np(encoder.pos_encoding)[:, :6, :],
                       lambda x0: _stack(encoder.enc_layers, x0, mask=mask)[0], "the encoder's output")
    longer = np.concatenate([ids, np.zeros((2, 3), int)], axis=1)
    out_longer = encoder(longer, training=False, mask=create_padding_mask(longer))
    assert_close(_np(out_longer)[0, :3], _np(out)[0, :3], "the real positions' outputs after adding more padding "
                 "(pass the mask to every layer)", atol=1e-5, rtol=1e-4)
    if np.allclose(_np(encoder(ids, training=True, mask=mask)), _np(out)):
        raise GradedTestFailure("with training=True and dropout_rate=0.1 the output should change: "
                                "pass `training=training` to the dropout layer and the encoder layers")
    passed()


def DecoderLayer_test(target, create_look_ahead_mask):
    # Target and input of the same length, so that a mix-up of the two masks runs (and shows).
    x, enc_output = _random((2, 5, 8), 7), 2.0 * _random((2, 5, 8), 8)
    look_ahead_mask = create_look_ahead_mask(5)
    padding_mask = np.array([[[1, 1, 1, 0, 0]], [[0, 1, 1, 1, 1]]], dtype=np.float32)
    layer = target(embedding_dim=8, num_heads=2, fully_connected_dim=16, dropout_rate=0.1)
    result = layer(x, enc_output, training=False, look_ahead_mask=look_ahead_mask, padding_mask=padding_mask)
    if not (isinstance(result, tuple) and len(result) == 3):
        raise GradedTestFailure("DecoderLayer should return (out3, attn_weights_block1, attn_weights_block2); "
                                "call the attention layers with return_attention_scores=True to get the weights")
    out, block1, block2 = result
    assert_shape(out, (2, 5, 8), "out3")
    assert_shape(block1, (2, 2, 5, 5), "attn_weights_block1 (batch, heads, target positions, target positions)")
    assert_shape(block2, (2, 2, 5, 5), "attn_weights_block2 (batch, heads, target positions, input positions)")
    if np.abs(np.triu(_np(block1), k=1)).max() > 1e-7:
        raise GradedTestFailure("attn_weights_block1 has weight on future positions: give block 1 (self-attention) "
                                "the look-ahead mask (or are the two blocks' weights returned in the wrong order?)")
    hidden = np.broadcast_to(padding_mask[:, None] == 0, (2, 2, 5, 5))
    if np.abs(_np(block2)[hidden]).max() > 1e-7:
        raise GradedTestFailure("attn_weights_block2 has weight on padded input positions: give block 2 "
                                "(attention over enc_output) the padding mask")
    a1, w1 = layer.mha1(x, x, x, attention_mask=look_ahead_mask, return_attention_scores=True)
    q1 = layer.layernorm1(a1 + x)
    a2, w2 = layer.mha2(q1, enc_output, enc_output, attention_mask=padding_mask, return_attention_scores=True)
    z = layer.layernorm2(a2 + q1)
    expected = layer.layernorm3(layer.ffn(z) + z)
    assert_close(_np(block1), _np(w1), "attn_weights_block1 (self-attention of x with the look-ahead mask)",
                 atol=1e-5, rtol=1e-4)
    assert_close(_np(block2), _np(w2), "attn_weights_block2 (queries from block 1's output after add & norm, keys "
                 "and values from enc_output)", atol=1e-5, rtol=1e-4)
    assert_close(_np(out), _np(expected), "out3 (block 2 adds its input, block 1's output, before layernorm2; the "
                 "feed-forward block adds block 2's output before layernorm3)", atol=1e-5, rtol=1e-4)
    if np.allclose(_np(layer(x, enc_output, training=True, look_ahead_mask=look_ahead_mask,
                             padding_mask=padding_mask)[0]), _np(out)):
        raise GradedTestFailure("with training=True and dropout_rate=0.1 out3 should change: pass "
                                "`training=training` to the attention layers and the dropout layer")
    # Input and target of different lengths.
    out, block1, block2 = layer(x[:, :4], enc_output, training=False, look_ahead_mask=create_look_ahead_mask(4),
                                padding_mask=padding_mask)
    assert_shape(out, (2, 4, 8), "out3 for 4 target and 5 input positions")
    assert_shape(block2, (2, 2, 4, 5), "attn_weights_block2 for 4 target and 5 input positions")
    passed()


def Decoder_test(target, create_look_ahead_mask, create_padding_mask):
    # Target and input of the same length, so that a mix-up of the two masks runs (and shows).
    ids = np.array([[1, 4, 2, 5, 3], [1, 3, 3, 6, 2]])
    enc_output = 2.0 * _random((2, 5, 8), 9)
    look_ahead_mask = create_look_ahead_mask(5)
    padding_mask = create_padding_mask(np.array([[5, 5, 5, 0, 0], [5, 5, 5, 5, 5]]))
    decoder = target(num_layers=2, embedding_dim=8, num_heads=2, fully_connected_dim=16, target_vocab_size=7,
                     maximum_position_encoding=10, dropout_rate=0.1)
    out, weights = decoder(ids, enc_output, training=False, look_ahead_mask=look_ahead_mask,
                           padding_mask=padding_mask)
    assert_shape(out, (2, 5, 8), "the decoder's output")
    names = [f"decoder_layer{i}_block{b}" for i in (1, 2) for b in ("1_self_att", "2_decenc_att")]
    assert_keys(weights, names, "attention_weights (layers counted from 1)")
    if not np.allclose(_np(decoder(ids, enc_output, training=False, look_ahead_mask=look_ahead_mask,
                                   padding_mask=padding_mask)[0]), _np(out)):
        raise GradedTestFailure("with training=False the decoder's output changes from call to call: "
                                "pass `training=training` to the dropout layer and the decoder layers")
    embedded, positions = _np(decoder.embedding(ids)), _np(decoder.pos_encoding)[:, :5, :]
    run = lambda x0: _stack(decoder.dec_layers, x0, enc_output=enc_output, look_ahead_mask=look_ahead_mask,
                            padding_mask=padding_mask)
    _check_stack_input(out, embedded, positions, lambda x0: run(x0)[0],
                       "the decoder's output (every layer gets enc_output, look_ahead_mask and padding_mask)")
    _, expected_weights = run(embedded * math.sqrt(8) + positions)
    for name in names:
        what = "self-attention" if "block1" in name else "attention over enc_output"
        assert_close(_np(weights[name]), _np(expected_weights[name]),
                     f"attention_weights[{name!r}] (the {what} weights that layer returned)", atol=1e-5, rtol=1e-4)
    changed = ids.copy()
    changed[:, 4] = 2
    out_changed, _ = decoder(changed, enc_output, training=False, look_ahead_mask=look_ahead_mask,
                             padding_mask=padding_mask)
    assert_close(_np(out_changed)[:, :4], _np(out)[:, :4],
                 "the outputs at positions 0..3 after changing the token at position 4 (no peeking ahead)",
                 atol=1e-5, rtol=1e-4)
    out, weights = decoder(ids[:, :3], enc_output, training=False, look_ahead_mask=create_look_ahead_mask(3),
                           padding_mask=padding_mask)
    assert_shape(out, (2, 3, 8), "the decoder's output for 3 target and 5 input positions")
    assert_shape(weights["decoder_layer2_block2_decenc_att"], (2, 2, 3, 5),
                 "decoder_layer2_block2_decenc_att for 3 target and 5 input positions")
    passed()


def Transformer_test(target, create_look_ahead_mask, create_padding_mask):
    # Input and target of the same length, ids valid in both vocabularies, so that mix-ups run (and show).
    sources = np.array([[3, 4, 5, 0, 0], [2, 2, 6, 5, 1]])
    outputs = np.array([[1, 3, 2, 4, 6], [1, 2, 2, 5, 3]])
    model = target(num_layers=2, embedding_dim=8, num_heads=2, fully_connected_dim=16, input_vocab_size=9,
                   target_vocab_size=7, max_positional_encoding_input=8, max_positional_encoding_target=6,
                   dropout_rate=0.1)
    masks = dict(enc_padding_mask=create_padding_mask(sources), look_ahead_mask=create_look_ahead_mask(5),
                 dec_padding_mask=create_padding_mask(sources))
    probabilities, weights = model(sources, outputs, training=False, **masks)
    assert_shape(probabilities, (2, 5, 7), "the Transformer's output (batch, target positions, target vocabulary)")
    assert_close(_np(probabilities).sum(axis=-1), np.ones((2, 5)),
                 "the sum of the output probabilities (end with final_layer, a softmax layer)", atol=1e-5)
    assert_keys(weights, [f"decoder_layer{i}_block{b}" for i in (1, 2) for b in ("1_self_att", "2_decenc_att")],
                "attention_weights (return the decoder's dictionary)")
    if not np.allclose(_np(model(sources, outputs, training=False, **masks)[0]), _np(probabilities)):
        raise GradedTestFailure("with training=False the output changes from call to call: "
                                "pass `training=training` to the encoder and the decoder")
    changed = sources.copy()
    changed[1, 1] = 4
    if np.allclose(_np(model(changed, outputs, training=False, **masks)[0])[1], _np(probabilities)[1], atol=1e-6):
        raise GradedTestFailure("the output does not depend on input_sentence: run the encoder on input_sentence "
                                "and give its output to the decoder")
    enc_output = model.encoder(sources, training=False, mask=masks["enc_padding_mask"])
    dec_output, expected_weights = model.decoder(outputs, enc_output, training=False,
                                                 look_ahead_mask=masks["look_ahead_mask"],
                                                 padding_mask=masks["dec_padding_mask"])
    assert_close(_np(weights["decoder_layer1_block2_decenc_att"]),
                 _np(expected_weights["decoder_layer1_block2_decenc_att"]),
                 "the decoder's attention over the encoder output (encoder on input_sentence with enc_padding_mask; "
                 "decoder on output_sentence and the encoder's output, look_ahead_mask then dec_padding_mask)",
                 atol=1e-5, rtol=1e-4)
    assert_close(_np(probabilities), _np(model.final_layer(dec_output)),
                 "the output (encoder, then decoder with the masks, then final_layer)", atol=1e-5, rtol=1e-4)
    passed()
