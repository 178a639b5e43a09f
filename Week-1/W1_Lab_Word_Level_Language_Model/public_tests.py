"""Graded-cell tests for "A Word-Level Language Model".

Each test builds its own small inputs. The references are computed another way: counts by hand-made
examples, windows by index arithmetic, the model's output by a NumPy LSTM step by step, and the sampler by
the frequencies of many draws compared with the softmax of the scaled logits.
"""
import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_raises_value_error, assert_shape, passed

UNK = "<unk>"


# --- build_vocabulary ------------------------------------------------------------------------------------------

def build_vocabulary_test(target):
    tokens = (["·the"] * 6 + [","] * 5 + ["·and"] * 5 + ["·king"] * 3 + ["·crown"] * 2 + ["·a"] * 2
              + ["·sceptre"] + ["\n"] * 4)
    vocabulary = target(tokens, min_count=2)
    if not isinstance(vocabulary, list):
        raise GradedTestFailure(f"build_vocabulary should return a list, got {type(vocabulary).__name__}")
    if not vocabulary or vocabulary[0] != UNK:
        raise GradedTestFailure(f"the vocabulary should start with {UNK!r} (id 0), got {vocabulary[:3]}")
    expected = [UNK, "·the", ",", "·and", "\n", "·king", "·a", "·crown"]
    if set(vocabulary) != set(expected):
        missing, extra = sorted(set(expected) - set(vocabulary)), sorted(set(vocabulary) - set(expected))
        raise GradedTestFailure(f"with min_count=2 the vocabulary should hold {UNK!r} and the tokens seen at least "
                                f"twice; missing {missing}, unexpected {extra}")
    if len(vocabulary) != len(expected):
        raise GradedTestFailure(f"each token should appear once in the vocabulary; got {vocabulary}")
    if vocabulary != expected:
        raise GradedTestFailure(f"order: {UNK!r} first, then by count, most frequent first, and tokens with the same "
                                f"count in string order (',' before '·and', '·a' before '·crown'); expected "
                                f"{expected}, got {vocabulary}")
    if target(tokens, min_count=6) != [UNK, "·the"]:
        raise GradedTestFailure("with min_count=6 only '·the' (6 times) is kept: a token seen exactly min_count "
                                f"times stays; got {target(tokens, min_count=6)}")
    everything = target(tokens, min_count=1)
    if len(everything) != 9:
        raise GradedTestFailure(f"with min_count=1 every distinct token is kept (8, plus {UNK!r}); got {len(everything)}")
    # A text that already contains "<unk>" (a vocabulary built from mapped tokens): it is not counted twice.
    mapped = target(["·a", UNK, UNK, UNK, "·a", "·b"], min_count=1)
    if mapped.count(UNK) != 1 or mapped[0] != UNK:
        raise GradedTestFailure(f"{UNK!r} should appear once, at id 0, even when the tokens contain it; got {mapped}")
    if target([], min_count=1) != [UNK]:
        raise GradedTestFailure(f"an empty text gives the vocabulary [{UNK!r}]")
    assert_raises_value_error(target, tokens, min_count=0, mentions="min_count")
    passed()


# --- words_to_ids ----------------------------------------------------------------------------------------------

def words_to_ids_test(target):
    # "<unk>" deliberately not at id 0 here: the unknown id is looked up, not assumed.
    word_to_id = {"·the": 0, "\n": 1, UNK: 2, "·king": 3, ",": 4}
    tokens = ["·the", "·king", ",", "·sceptre", "\n", "·The", "·KING", "·the"]
    ids = target(tokens, word_to_id)
    if not isinstance(ids, np.ndarray):
        raise GradedTestFailure(f"words_to_ids should return a NumPy array, got {type(ids).__name__}")
    assert_shape(ids, (len(tokens),), "words_to_ids(tokens, word_to_id): one id per token, unknown ones included")
    if ids.dtype != np.int32:
        raise GradedTestFailure(f"the ids should be int32 (what the Embedding layer reads), got {ids.dtype}")
    expected = np.array([0, 3, 4, 2, 1, 2, 2, 0])
    if not np.array_equal(ids, expected):
        raise GradedTestFailure(f"expected {expected.tolist()} (unknown tokens, and tokens that differ in case, get "
                                f"the id of {UNK!r}: word_to_id[{UNK!r}] = 2 here), got {ids.tolist()}")
    empty = target([], word_to_id)
    assert_shape(empty, (0,), "words_to_ids([], word_to_id)")
    passed()


# --- make_windows ----------------------------------------------------------------------------------------------

def make_windows_test(target):
    ids = np.arange(100, 123, dtype=np.int32)  # 23 ids
    X, Y = target(ids, 5)
    assert_shape(X, (4, 5), "X for 23 ids and seq_length=5 (the 22 ids that have a next one make 4 whole windows)")
    assert_shape(Y, (4, 5), "Y")
    expected_X = np.array([[100 + 5 * i + j for j in range(5)] for i in range(4)])
    if not np.array_equal(X, expected_X):
        raise GradedTestFailure(f"X should hold consecutive windows that do not overlap, starting at the first id: "
                                f"expected {expected_X.tolist()}, got {np.asarray(X).tolist()}")
    if not np.array_equal(Y, expected_X + 1):
        raise GradedTestFailure(f"Y should be X shifted by one id (the next token at every position): expected "
                                f"{(expected_X + 1).tolist()}, got {np.asarray(Y).tolist()}")
    X, Y = target(ids[:21], 5)   # 21 ids: 20 have a next one, exactly 4 windows
    assert_shape(X, (4, 5), "X for 21 ids and seq_length=5 (the last target is id 20)")
    if int(Y[-1, -1]) != 120:
        raise GradedTestFailure(f"with 21 ids the last target should be the last id (120), got {int(Y[-1, -1])}")
    assert_raises_value_error(target, ids[:5], 5, mentions="seq_length")
    passed()


# --- word_lstm_model -------------------------------------------------------------------------------------------

def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _reference_word_lstm(ids, embeddings, kernel, recurrent, bias, dense_kernel, dense_bias):
    """Logits of an Embedding -> LSTM -> Dense model for one sequence, by a NumPy loop (Keras' gate order i, f, c, o)."""
    units = recurrent.shape[0]
    h, c = np.zeros(units), np.zeros(units)
    logits = []
    for token in ids:
        z = embeddings[token] @ kernel + h @ recurrent + bias
        i, f, g, o = (z[k * units:(k + 1) * units] for k in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        logits.append(h @ dense_kernel + dense_bias)
    return np.array(logits)


def _layers_of(model, kind):
    return [layer for layer in model.layers if type(layer).__name__ == kind]


def word_lstm_model_test(target):
    import keras
    vocab_size, embedding_dim, units = 11, 4, 3
    model = target(vocab_size, embedding_dim, units)
    if not isinstance(model, keras.Model):
        raise GradedTestFailure(f"word_lstm_model should return a keras.Model, got {type(model).__name__}")
    counts = {kind: len(_layers_of(model, kind)) for kind in ("Embedding", "LSTM", "Dense")}
    if counts != {"Embedding": 1, "LSTM": 1, "Dense": 1}:
        raise GradedTestFailure(f"the model should have one Embedding, one LSTM and one Dense layer; it has {counts}")
    names = [layer.name for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if names != ["embedding", "lstm", "logits"]:
        raise GradedTestFailure(f"name the layers 'embedding', 'lstm' and 'logits', in that order (the shipped "
                                f"weights are loaded by these names); found {names}")
    embedding, lstm, dense = (model.get_layer(name) for name in names)
    if (embedding.input_dim, embedding.output_dim) != (vocab_size, embedding_dim):
        raise GradedTestFailure(f"Embedding({embedding.input_dim}, {embedding.output_dim}): expected "
                                f"Embedding(vocab_size={vocab_size}, embedding_dim={embedding_dim})")
    if lstm.units != units or not lstm.return_sequences:
        raise GradedTestFailure(f"the LSTM has units={lstm.units}, return_sequences={lstm.return_sequences}; expected "
                                f"units={units} and return_sequences=True (a prediction after every token)")
    if dense.units != vocab_size or dense.get_config()["activation"] != "linear":
        raise GradedTestFailure(f"the Dense layer should output vocab_size={vocab_size} logits, no activation (the "
                                f"loss and the sampler apply the softmax); it has {dense.units} units and activation "
                                f"{dense.get_config()['activation']!r}")
    for T in (7, 1):
        assert_shape(model(np.zeros((2, T), np.int32)), (2, T, vocab_size),
                     f"the model's output for ids of shape (2, {T}) (any length: Input(shape=(None,)))")
    # Numbers: random weights, the logits compared with a NumPy LSTM.
    rng = np.random.RandomState(7)
    weights = [rng.randn(*w.shape) * 0.7 for w in model.get_weights()]
    model.set_weights(weights)
    ids = rng.randint(0, vocab_size, (2, 6)).astype(np.int32)
    output = keras.ops.convert_to_numpy(model(ids, training=False))
    w = {id(v): value for v, value in zip(model.weights, weights)}
    pieces = [w[id(v)] for v in (*embedding.weights, *lstm.weights, *dense.weights)]
    for row in range(2):
        assert_close(output[row], _reference_word_lstm(ids[row], *pieces),
                     "the logits for known weights (Embedding -> LSTM -> Dense, nothing else in between)",
                     atol=1e-4, rtol=1e-4)
    # Starting from GloVe: the given matrix is the embedding's initial value, and it stays trainable.
    matrix = rng.randn(vocab_size, embedding_dim).astype(np.float32)
    model = target(vocab_size, embedding_dim, units, embedding_matrix=matrix)
    start = model.get_layer("embedding").get_weights()
    if not start:
        raise GradedTestFailure("the embedding of word_lstm_model(..., embedding_matrix=M) has no weights")
    assert_close(start[0], matrix, "the initial embedding when embedding_matrix is given (it should equal the matrix)")
    if not model.get_layer("embedding").trainable:
        raise GradedTestFailure("the embedding initialised from GloVe should stay trainable: the vectors are a "
                                "starting point, fine-tuned on Shakespeare")
    assert_raises_value_error(target, vocab_size, embedding_dim + 1, units, embedding_matrix=matrix,
                              mentions="embedding_matrix")
    passed()


# --- sample_next_word ------------------------------------------------------------------------------------------

def _softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def sample_next_word_test(target):
    logits = np.array([2.0, 1.0, 0.0, -1.0, 3.0])
    n = 20000
    for temperature in (1.0, 0.5, 2.0):
        rng = np.random.default_rng(0)
        draws = [target(logits, temperature, rng) for _ in range(n)]
        if not all(isinstance(d, (int, np.integer)) for d in draws[:10]):
            raise GradedTestFailure(f"sample_next_word should return an id (an int), got {type(draws[0]).__name__}")
        frequencies = np.bincount(np.asarray(draws, dtype=int), minlength=len(logits)) / n
        expected = _softmax(logits / temperature)
        if np.abs(frequencies - expected).max() > 0.015:
            raise GradedTestFailure(f"at temperature {temperature}, {n} draws gave the frequencies "
                                    f"{np.round(frequencies, 3).tolist()}, but p = softmax(logits / temperature) is "
                                    f"{np.round(expected, 3).tolist()}")
    rng = np.random.default_rng(1)
    first = [target(logits, 1.0, rng) for _ in range(50)]
    if len(set(first)) == 1:
        raise GradedTestFailure("50 draws at temperature 1 all gave the same id: sample from p, do not take the argmax")
    rng = np.random.default_rng(1)
    again = [target(logits, 1.0, rng) for _ in range(50)]
    if again != first:
        raise GradedTestFailure("two generators made with the same seed gave different draws: draw with the rng "
                                "argument (rng.choice), not np.random, so a seed gives the same text every time")
    # Large logits (a confident model): no overflow.
    huge = np.array([1000.0, 999.0, 0.0])
    try:
        draws = [target(huge, 1.0, np.random.default_rng(2)) for _ in range(200)]
    except (ValueError, FloatingPointError) as error:
        raise GradedTestFailure(f"for logits {huge.tolist()} sample_next_word failed ({error}): np.exp(1000) "
                                "overflows; subtract the largest scaled logit before the exponential") from None
    if not set(draws) <= {0, 1}:
        raise GradedTestFailure(f"for logits {huge.tolist()} only ids 0 and 1 are possible, got {sorted(set(draws))}: "
                                "subtract the largest scaled logit before the exponential")
    assert_raises_value_error(target, logits, 0.0, np.random.default_rng(0), mentions="temperature")
    assert_raises_value_error(target, logits, -1.0, np.random.default_rng(0), mentions="temperature")
    passed()
