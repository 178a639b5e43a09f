"""Graded-cell tests for "A Sequence-to-Sequence Chatbot".

Each test builds its own small inputs. References are computed another way: ids and teacher-forcing arrays by
hand-written examples, the model's logits and attention weights by a NumPy encoder-decoder reading the model's
own weights (one request at a time, without padding), greedy decoding against a hand-made next-token table.
"""
import numpy as np

from utils.testing import (GradedTestFailure, assert_close, assert_raises_value_error, assert_shape,
                           keras_gru_states, passed)

VOCAB = ["<pad>", "<unk>", "<start>", "<end>", "a", "single", "to", "york", ",", "please", "1", "9", ":", "3", "0"]
WORD_TO_ID = {word: i for i, word in enumerate(VOCAB)}


# --- encode_line ------------------------------------------------------------------------------------------------

def encode_line_test(target):
    # A vocabulary whose <unk> and <pad> are not ids 1 and 0, so a hard-coded id shows.
    word_to_id = {"york": 0, "<pad>": 5, "<unk>": 7, "a": 2, "single": 3, "to": 4, ",": 6, "9": 8, "1": 9}
    ids = target("A Single to YORK, 19 please", word_to_id, 10)
    if not isinstance(ids, np.ndarray) or ids.dtype != np.int32:
        raise GradedTestFailure(f"encode_line should return an int32 NumPy array, got "
                                f"{type(ids).__name__} {getattr(ids, 'dtype', '')}")
    assert_shape(ids, (10,), "encode_line(...) with max_len=10")
    expected = [2, 3, 4, 0, 6, 9, 8, 7, 5, 5]
    if ids.tolist() != expected:
        hint = ""
        if ids.tolist()[:3] != expected[:3]:
            hint = " (tokenize the line with utils.chatbot_data.tokenize: it lower-cases and splits digits)"
        elif 7 not in ids.tolist():
            hint = " (an unknown word becomes the id of '<unk>', looked up in word_to_id)"
        elif ids.tolist()[-1] != 5:
            hint = " (pad on the right with the id of '<pad>', looked up in word_to_id)"
        raise GradedTestFailure(f"'A Single to YORK, 19 please' -> {ids.tolist()}, expected {expected}{hint}")
    try:
        exact = target("a single to york", word_to_id, 4)
    except ValueError as error:
        raise GradedTestFailure(f"a line of exactly max_len tokens fits (refuse only longer ones); got the error "
                                f"{error}") from None
    if exact.tolist() != [2, 3, 4, 0]:
        raise GradedTestFailure(f"a line of exactly max_len tokens fits with no padding; got {exact.tolist()}")
    assert_raises_value_error(target, "a single to york , please", word_to_id, 4, mentions="4")
    assert_raises_value_error(target, "", word_to_id, 4, mentions="empty")
    assert_raises_value_error(target, "   ", word_to_id, 4, mentions="empty")
    passed()


# --- teacher_forcing --------------------------------------------------------------------------------------------

def teacher_forcing_test(target):
    replies = [["a", "single", "to", "york"], ["1", "9", ":", "3", "0"], ["a", "ticket"]]
    result = target(replies, WORD_TO_ID, 6)
    # The same replies with the special tokens at other ids, so a hard-coded id shows.
    moved = {word: (i + 5) % len(VOCAB) for word, i in WORD_TO_ID.items()}
    moved_previous, moved_targets, _ = target(replies, moved, 6)
    want = [[moved["<start>"], moved["a"], moved["<unk>"]] + [moved["<pad>"]] * 4,
            [moved["a"], moved["<unk>"], moved["<end>"]] + [moved["<pad>"]] * 4]
    if [moved_previous[2].tolist(), moved_targets[2].tolist()] != want:
        raise GradedTestFailure("with another vocabulary the special tokens have other ids: look '<start>', '<end>', "
                                "'<unk>' and '<pad>' up in word_to_id instead of writing their ids; for reply "
                                f"['a', 'ticket'] expected previous, targets {want}, got "
                                f"{[moved_previous[2].tolist(), moved_targets[2].tolist()]}")
    if not isinstance(result, tuple) or len(result) != 3:
        raise GradedTestFailure("teacher_forcing should return a tuple (previous, targets, weights)")
    previous, targets, weights = result
    for name, array, dtype in (("previous", previous, np.int32), ("targets", targets, np.int32),
                               ("weights", weights, np.float32)):
        assert_shape(array, (3, 7), f"{name} (3 replies, max_len + 1 = 7 steps)")
        if array.dtype != dtype:
            raise GradedTestFailure(f"{name} should have dtype {np.dtype(dtype).name}, got {array.dtype}")
    s, e, u = WORD_TO_ID["<start>"], WORD_TO_ID["<end>"], WORD_TO_ID["<unk>"]
    want_previous = [[s, 4, 5, 6, 7, 0, 0], [s, 10, 11, 12, 13, 14, 0], [s, 4, u, 0, 0, 0, 0]]
    want_targets = [[4, 5, 6, 7, e, 0, 0], [10, 11, 12, 13, 14, e, 0], [4, u, e, 0, 0, 0, 0]]
    want_weights = [[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0, 0]]
    if previous.tolist() != want_previous:
        raise GradedTestFailure(f"previous[i] is <start> followed by reply i, then <pad>: the decoder reads the word "
                                f"before the one it predicts; expected {want_previous}, got {previous.tolist()}")
    if targets.tolist() != want_targets:
        raise GradedTestFailure(f"targets[i] is reply i followed by <end>, then <pad>: previous shifted left by one; "
                                f"expected {want_targets}, got {targets.tolist()}")
    if weights.tolist() != want_weights:
        raise GradedTestFailure(f"weights are 1 for each real target (the reply's tokens and <end>), 0 for padding; "
                                f"expected {want_weights}, got {weights.tolist()}")
    assert_raises_value_error(target, [["a"] * 7], WORD_TO_ID, 6, mentions="6")
    try:
        previous, targets, _ = target([["a"] * 6], WORD_TO_ID, 6)
    except ValueError as error:
        raise GradedTestFailure(f"a reply of exactly max_len tokens fits (refuse only longer ones); got the error "
                                f"{error}") from None
    if targets[0, -1] != e:
        raise GradedTestFailure("a reply of exactly max_len tokens fits: its <end> is the last target")
    passed()


# --- chatbot_model ----------------------------------------------------------------------------------------------

def _layer(model, name):
    try:
        return model.get_layer(name)
    except ValueError:
        raise GradedTestFailure(f"the model has no layer named {name!r}: name the layers as the instructions say "
                                f"(its layers: {[layer.name for layer in model.layers]})") from None


def reference_forward(model, request, previous):
    """(logits (Ty, V), attention weights (Ty, Tx)) for one unpadded request and one prefix, in NumPy."""
    embedding = _layer(model, "embedding").get_weights()[0]
    encoder = _layer(model, "encoder")
    forward_w, backward_w = encoder.forward_layer.get_weights(), encoder.backward_layer.get_weights()
    x = embedding[request]
    a_forward = keras_gru_states(x, *forward_w)
    a_backward = keras_gru_states(x[::-1], *backward_w)[::-1]
    a = np.concatenate([a_forward, a_backward], axis=1)
    s0 = np.concatenate([a_forward[-1], a_backward[0]])
    s = keras_gru_states(embedding[previous], *_layer(model, "decoder").get_weights(), h0=s0)
    scores = s @ a.T
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    kernel, bias = _layer(model, "logits").get_weights()
    return np.concatenate([s, weights @ a], axis=1) @ kernel + bias, weights


def chatbot_model_test(target):
    import keras
    keras.utils.set_random_seed(3)
    result = target(23, embedding_dim=6, n_a=5)
    if not isinstance(result, tuple) or len(result) != 2:
        raise GradedTestFailure("chatbot_model should return two models: (model, attention_model)")
    model, attention_model = result
    embeddings = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
    if len(embeddings) != 1:
        raise GradedTestFailure(f"one Embedding layer, shared by the request and the reply (both are English); "
                                f"the model has {len(embeddings)}")
    if not embeddings[0].mask_zero:
        raise GradedTestFailure("the Embedding needs mask_zero=True, so padding (id 0) is skipped by the GRUs and "
                                "gets no attention")
    expected_params = {"embedding": 23 * 6, "encoder": 2 * 3 * 5 * (6 + 5 + 2), "decoder": 3 * 10 * (6 + 10 + 2),
                       "logits": 20 * 23 + 23}
    for name, count in expected_params.items():
        if _layer(model, name).count_params() != count:
            raise GradedTestFailure(f"layer {name!r} has {_layer(model, name).count_params()} parameters, expected "
                                    f"{count}: check its size (encoder: Bidirectional GRU(n_a); decoder: GRU(2 n_a); "
                                    f"logits: Dense(vocab_size) on [s; context], 4 n_a values)")
    # Random weights of a realistic size make each wiring mistake visible in the logits.
    rng = np.random.RandomState(0)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    requests = [[4, 9, 17, 5, 21], [8, 3, 12], [5, 5, 19, 7, 22, 11, 6]]
    prefixes = [[2, 6, 14, 9], [2, 20, 4, 4], [2, 13, 8, 10]]
    padded = np.zeros((3, 9), np.int32)  # padded beyond the longest request too
    for i, request in enumerate(requests):
        padded[i, :len(request)] = request
    logits = keras.ops.convert_to_numpy(model([padded, np.array(prefixes, np.int32)], training=False))
    weights = keras.ops.convert_to_numpy(attention_model([padded, np.array(prefixes, np.int32)], training=False))
    assert_shape(logits, (3, 4, 23), "the model's output (batch, reply steps, vocab_size)")
    assert_shape(weights, (3, 4, 9), "the attention model's output (batch, reply steps, request positions)")
    if np.allclose(logits.sum(axis=-1), 1, atol=1e-4):
        raise GradedTestFailure("the model should output logits (no softmax on the last Dense layer)")
    if not np.allclose(weights.sum(axis=-1), 1, atol=1e-4):
        raise GradedTestFailure("the attention weights of each reply step should sum to 1 over the request")
    for i, request in enumerate(requests):
        want_logits, want_weights = reference_forward(model, np.array(request), np.array(prefixes[i]))
        if np.abs(weights[i, :, len(request):]).max() > 1e-6:
            raise GradedTestFailure("padding positions of the request get attention: use mask_zero=True and pass the "
                                    "encoder's sequence a straight to the attention layer")
        if not np.allclose(weights[i, :, :len(request)], want_weights, atol=1e-4):
            raise GradedTestFailure("the attention weights differ from softmax(s<t> . a<t'>) over the request: the "
                                    "query is the decoder's states s, the value the encoder's sequence a")
        if not np.allclose(logits[i], want_logits, atol=1e-3):
            raise GradedTestFailure(
                "the logits differ from Dense([s<t>; context<t>]) of a decoder GRU started from the encoder's final "
                "states [forward; backward]: check initial_state, the order of the concatenations, and that the "
                "decoder reads the embedded previous words")
    passed()


# --- greedy_replies ---------------------------------------------------------------------------------------------

class TableModel:
    """A stand-in for the chatbot: the next token's logits depend on the request's first id and the last prefix
    id (a table), and are peaked at a token other than the one an earlier position would give."""

    def __init__(self, table, vocab_size):
        self.table, self.vocab_size, self.calls = table, vocab_size, 0

    def __call__(self, inputs, training=False):
        requests, previous = (np.asarray(x) for x in inputs)
        self.calls += 1
        logits = np.full(previous.shape + (self.vocab_size,), -3.0, np.float32)
        for i in range(len(previous)):
            for t in range(previous.shape[1]):
                logits[i, t, self.table.get((int(requests[i, 0]), int(previous[i, t])), 1)] = 2.0
                logits[i, t, 0] = -1.0  # pad: never the best, but above the floor
        return logits


def greedy_replies_test(target):
    start, end = 2, 3
    table = {(5, 2): 7, (5, 7): 8, (5, 8): 3, (5, 3): 3,  # request 5 -> 7 8 <end> (then <end> again)
             (6, 2): 9, (6, 9): 9,                        # request 6 -> 9 9 9 ... never ends (cut at max_len)
             (4, 2): 3}                                   # request 4 -> <end> at once: an empty reply
    model = TableModel(table, 12)
    requests = np.array([[5, 1, 0], [6, 0, 0], [4, 4, 4]], np.int32)
    replies = target(model, requests, start, end, max_len=5)
    if not isinstance(replies, list) or len(replies) != 3:
        raise GradedTestFailure("greedy_replies should return a list with one reply (a list of ids) per request")
    replies = [list(map(int, reply)) for reply in replies]
    if replies[0] != [7, 8]:
        raise GradedTestFailure(f"request 0 should give [7, 8]: each step feeds back the most likely next id of the "
                                f"LAST position, and the reply stops before <end> (not included); got {replies[0]}")
    if replies[1] != [9, 9, 9, 9, 9]:
        raise GradedTestFailure(f"a reply that never produces <end> stops after max_len = 5 ids; got {replies[1]}")
    if replies[2] != []:
        raise GradedTestFailure(f"a request whose first prediction is <end> gets an empty reply; got {replies[2]}")
    if model.calls > 5:
        raise GradedTestFailure(f"the model was called {model.calls} times for max_len = 5: call it once per step "
                                f"for the whole batch")
    early = TableModel({(5, 2): 3, (4, 2): 3}, 12)
    target(early, np.array([[5, 0], [4, 0]], np.int32), start, end, max_len=5)
    if early.calls != 1:
        raise GradedTestFailure("when every reply has produced <end>, stop calling the model")
    passed()


# --- distinct_n -------------------------------------------------------------------------------------------------

def distinct_n_test(target):
    replies = [["i", "know", "not"], ["i", "know", "not"], ["my", "lord", "i", "know"], ["ay"]]
    one, two = target(replies, 1), target(replies, 2)
    # unigrams: 11 in all, distinct {i, know, not, my, lord, ay} = 6; bigrams: 2 + 2 + 3 = 7, distinct 4
    if not np.isclose(one, 6 / 11):
        raise GradedTestFailure(f"distinct-1 = distinct words / all words over every reply = 6/11; got {one}")
    if not np.isclose(two, 4 / 7):
        raise GradedTestFailure(f"distinct-2 = distinct bigrams / all bigrams = 4/7 (bigrams stay inside a reply: "
                                f"'not my' is not one); got {two}")
    if not np.isclose(target([["a", "b", "a", "b"]], 2), 2 / 3):
        raise GradedTestFailure("distinct-2 of [a b a b]: bigrams ab, ba, ab, 2 distinct of 3")
    if target([["ay"]], 2) != 0.0 or target([], 1) != 0.0:
        raise GradedTestFailure("with no n-grams at all (replies shorter than n, or no replies) distinct-n is 0.0")
    assert_close(target([["x", "y", "z"]], 3), 1.0, "distinct_n([['x', 'y', 'z']], 3)")
    if not np.isclose(target([[1, 12], [11, 2]], 2), 1.0):
        raise GradedTestFailure("the bigrams (1, 12) and (11, 2) are different: keep n-grams as tuples (joined "
                                "without a separator, both would read '112')")
    passed()
