"""A small Transformer encoder shared by the Week 4 labs: positional encodings, an encoder block and a token encoder.

Conventions (the same as the W4A1 notebook):

* masks are 1/True = attend, 0/False = masked (Keras' convention);
* token id 0 is padding, so the padding mask of a batch of token ids is ``token_ids != 0``;
* positional encodings use the interleaved sine/cosine formula
  ``PE[pos, 2i] = sin(pos / 10000**(2i/d))`` and ``PE[pos, 2i+1] = cos(pos / 10000**(2i/d))``.

The layers do not propagate a Keras mask to the layers after them: a model that must ignore padded positions in its
loss passes ``sample_weight`` (e.g. ``padding_mask(token_ids)``) to ``fit``/``evaluate``.
"""
import math

import keras
import numpy as np
from keras import ops

from utils import ROOT

__all__ = ["positional_encoding", "padding_mask", "EncoderBlock", "TokenEncoder"]


def positional_encoding(positions, d):
    """Sinusoidal encodings, float32 array of shape (1, positions, d): the positional-encoding lab's graded function.

    Row ``pos`` holds ``sin(pos / 10000**(2i/d))`` in column ``2i`` and ``cos(pos / 10000**(2i/d))`` in column ``2i+1``.
    The formula is an exercise of that lab, so it is loaded from the lab's notebook; the library keeps no copy.
    """
    for name, value in (("positions", positions), ("d", d)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    global _LAB_POSITIONAL_ENCODING
    if _LAB_POSITIONAL_ENCODING is None:
        from utils.notebook_tools import load_definitions
        _LAB_POSITIONAL_ENCODING = load_definitions(POSITIONAL_ENCODING_LAB).positional_encoding
    return _LAB_POSITIONAL_ENCODING(int(positions), int(d))


POSITIONAL_ENCODING_LAB = ROOT / "Week-4/W4_Lab_Embeddings_and_Positional_Encoding/Embeddings_and_Positional_Encoding.ipynb"
_LAB_POSITIONAL_ENCODING = None


def padding_mask(token_ids):
    """1.0 where a token is real (id != 0), 0.0 at padding; same shape as `token_ids` (numpy in, numpy out)."""
    return (np.asarray(token_ids) != 0).astype(np.float32)


@keras.saving.register_keras_serializable(package="sequence_models")
class EncoderBlock(keras.layers.Layer):
    """One Transformer encoder block (post-norm, as in "Attention is all you need").

    Multi-head self-attention -> dropout -> residual + LayerNormalization -> two Dense layers (ReLU, then linear)
    -> dropout -> residual + LayerNormalization. Each head has size ``embedding_dim // num_heads``.
    """

    def __init__(self, embedding_dim, num_heads, fully_connected_dim, dropout_rate=0.1, layernorm_eps=1e-6,
                 **kwargs):
        super().__init__(**kwargs)
        if embedding_dim % num_heads:
            raise ValueError(f"embedding_dim ({embedding_dim}) must be divisible by num_heads ({num_heads})")
        self.embedding_dim = embedding_dim
        self.num_heads = num_heads
        self.fully_connected_dim = fully_connected_dim
        self.dropout_rate = dropout_rate
        self.layernorm_eps = layernorm_eps
        self.mha = keras.layers.MultiHeadAttention(num_heads=num_heads, key_dim=embedding_dim // num_heads,
                                                   dropout=dropout_rate, name="mha")
        self.ffn_hidden = keras.layers.Dense(fully_connected_dim, activation="relu", name="ffn_hidden")
        self.ffn_output = keras.layers.Dense(embedding_dim, name="ffn_output")
        self.layernorm1 = keras.layers.LayerNormalization(epsilon=layernorm_eps, name="layernorm1")
        self.layernorm2 = keras.layers.LayerNormalization(epsilon=layernorm_eps, name="layernorm2")
        self.dropout_attention = keras.layers.Dropout(dropout_rate, name="dropout_attention")
        self.dropout_ffn = keras.layers.Dropout(dropout_rate, name="dropout_ffn")
        self.supports_masking = True  # the `mask` argument is used here and not passed on (see compute_mask)

    def build(self, input_shape):
        self.mha.build(input_shape, input_shape)
        self.layernorm1.build(input_shape)
        self.ffn_hidden.build(input_shape)
        self.ffn_output.build(tuple(input_shape[:-1]) + (self.fully_connected_dim,))
        self.layernorm2.build(input_shape)
        self.built = True

    def call(self, x, training=False, mask=None, return_attention_scores=False):
        """x: (batch, seq, embedding_dim); mask: (batch, seq), 1 = real token (or a full (batch, seq, seq) mask).

        Returns (batch, seq, embedding_dim), or (output, scores) with scores (batch, num_heads, seq, seq) when
        `return_attention_scores` is True.
        """
        attention_mask = None
        if mask is not None:
            attention_mask = ops.cast(mask, "bool")
            if len(attention_mask.shape) == 2:  # (batch, seq) -> (batch, 1, seq): every query sees the real keys
                attention_mask = ops.expand_dims(attention_mask, axis=1)
        attended, scores = self.mha(x, x, x, attention_mask=attention_mask, return_attention_scores=True,
                                    training=training)
        attended = self.dropout_attention(attended, training=training)
        x = self.layernorm1(x + attended)
        ffn = self.ffn_output(self.ffn_hidden(x))
        ffn = self.dropout_ffn(ffn, training=training)
        out = self.layernorm2(x + ffn)
        return (out, scores) if return_attention_scores else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, previous_mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update(embedding_dim=self.embedding_dim, num_heads=self.num_heads,
                      fully_connected_dim=self.fully_connected_dim, dropout_rate=self.dropout_rate,
                      layernorm_eps=self.layernorm_eps)
        return config


@keras.saving.register_keras_serializable(package="sequence_models")
class TokenEncoder(keras.layers.Layer):
    """Token ids -> contextual vectors: Embedding * sqrt(d) + positional encodings, dropout, `num_layers` blocks.

    The padding mask is computed from ``token_ids == 0`` and passed to every block, so padded positions never
    influence the outputs at real positions. Sequences may be shorter than `max_len`, never longer.
    """

    def __init__(self, vocab_size, num_layers, embedding_dim, num_heads, fully_connected_dim, max_len,
                 dropout_rate=0.1, layernorm_eps=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.num_layers = num_layers
        self.embedding_dim = embedding_dim
        self.num_heads = num_heads
        self.fully_connected_dim = fully_connected_dim
        self.max_len = max_len
        self.dropout_rate = dropout_rate
        self.layernorm_eps = layernorm_eps
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")
        self.pos_encoding = positional_encoding(max_len, embedding_dim)
        self.dropout = keras.layers.Dropout(dropout_rate, name="dropout")
        self.blocks = [EncoderBlock(embedding_dim, num_heads, fully_connected_dim, dropout_rate, layernorm_eps,
                                    name=f"encoder_block_{i}") for i in range(num_layers)]

    def build(self, input_shape):
        self.embedding.build(input_shape)
        for block in self.blocks:
            block.build(tuple(input_shape) + (self.embedding_dim,))
        self.built = True

    def call(self, token_ids, training=False, return_attention_scores=False):
        """token_ids: (batch, seq) ints, 0 = padding. Returns (batch, seq, embedding_dim).

        With `return_attention_scores=True` returns (output, [scores of block 0, block 1, ...]).
        """
        seq_len = token_ids.shape[1]
        if seq_len is not None and seq_len > self.max_len:
            raise ValueError(f"sequences have {seq_len} tokens but this encoder takes at most max_len={self.max_len}")
        mask = ops.not_equal(token_ids, 0)
        x = self.embedding(token_ids) * math.sqrt(self.embedding_dim)
        if seq_len is None:
            seq_len = ops.shape(token_ids)[1]
        x = x + ops.convert_to_tensor(self.pos_encoding)[:, :seq_len, :]
        x = self.dropout(x, training=training)
        all_scores = []
        for block in self.blocks:
            x, scores = block(x, training=training, mask=mask, return_attention_scores=True)
            all_scores.append(scores)
        return (x, all_scores) if return_attention_scores else x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.embedding_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, num_layers=self.num_layers, embedding_dim=self.embedding_dim,
                      num_heads=self.num_heads, fully_connected_dim=self.fully_connected_dim, max_len=self.max_len,
                      dropout_rate=self.dropout_rate, layernorm_eps=self.layernorm_eps)
        return config
