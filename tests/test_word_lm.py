"""utils.word_lm: lossless tokens, the Kneser-Ney baseline against NLTK's, the spelling model, bits per character."""
import itertools
import math

import numpy as np
import pytest

from utils import word_lm
from utils.word_lm import KneserNey, SpellingModel, bits_per_character, tokenise


def test_tokens_spell_the_text_exactly():
    text = "Who's there?\nNay, answer me: stand, and unfold yourself.\n\n'Tis now struck twelve--get thee to bed."
    tokens = tokenise(text)
    assert "".join(tokens) == text
    assert tokens[:4] == ["Who's", " there", "?", "\n"]
    assert " struck" in tokens and "--" in tokens and "\n" in tokens


def test_every_split_of_the_corpus_is_tokenised_losslessly():
    texts, tokens = word_lm.corpus(), word_lm.corpus_tokens()
    assert set(texts) == {"train", "validation", "held_out"}
    for name in texts:
        assert "".join(tokens[name]) == texts[name]
    # The held-out text is W1A2's: the passages its character LSTM never saw.
    from utils.shakespeare import train_validation_split, training_text
    assert texts["held_out"] == train_validation_split(training_text())[1]


def test_a_text_that_cannot_be_tokenised_losslessly_is_refused():
    with pytest.raises(ValueError, match="losslessly"):
        tokenise("two  spaces")


def _nltk_model(tokens, discount):
    from nltk.lm import KneserNeyInterpolated
    from nltk.lm.preprocessing import everygrams
    model = KneserNeyInterpolated(3, discount=discount)
    model.fit([list(everygrams(tokens, max_len=3))], vocabulary_text=tokens)
    return model


@pytest.mark.parametrize("discount", [0.1, 0.75])
def test_kneser_ney_equals_nltks_kneser_ney_interpolated(discount):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(7)]
    # A skewed text, so that some trigrams are frequent, some seen once and many never.
    text = list(rng.choice(words, size=400, p=[0.3, 0.2, 0.15, 0.15, 0.1, 0.06, 0.04]))
    ids = [words.index(w) for w in text]
    ours, theirs = KneserNey(ids, discount=discount), _nltk_model(text, discount)
    for u, v, w in itertools.product(range(7), repeat=3):
        assert ours.p3(w, u, v) == pytest.approx(theirs.score(words[w], [words[u], words[v]]), rel=1e-12)


def test_kneser_ney_is_a_probability_distribution_in_every_context():
    rng = np.random.default_rng(1)
    ids = list(rng.integers(0, 12, size=3000) * (rng.random(3000) < 0.9))
    model = KneserNey(ids)
    for u, v in itertools.product(range(12), repeat=2):
        assert sum(model.p3(w, u, v) for w in range(12)) == pytest.approx(1.0, abs=1e-12)
    bits = model.token_bits(ids[:50])
    assert bits.shape == (48,) and np.all(bits > 0)


def test_kneser_ney_refuses_a_discount_outside_0_1():
    with pytest.raises(ValueError, match="discount"):
        KneserNey([1, 2, 3], discount=1.0)


def test_the_spelling_model_is_a_distribution_over_strings():
    model = SpellingModel([" abba", " ab", "b"])
    alphabet = [ch for ch in model.characters if ch != SpellingModel.END]
    # Every string of up to 6 characters, one by one: their probabilities add up to less than 1 ...
    short = sum(2.0 ** -model.bits("".join(s)) for n in range(0, 7) for s in itertools.product(alphabet, repeat=n))
    assert 0.85 < short < 1.0
    # ... and, walking the bigram chain to any length, to 1: the spelling model gives every string a share.
    p = 2.0 ** model.log2_probs
    end = model.characters.index(SpellingModel.END)
    state, total = np.eye(len(p))[0], 0.0
    for n in range(200):
        total += state @ p[:, end]
        state = np.array([state @ p[:, model.index[ch]] if ch != SpellingModel.END else 0.0
                          for ch in model.characters])
        state = np.concatenate([[0.0], state])
    assert total == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(ValueError, match="never saw"):
        model.bits(" abc")


def test_bits_per_character_pays_for_spelling_the_unknown_tokens():
    spelling = SpellingModel([" zog"])
    tokens = [" the", " zog", "."]
    plain = bits_per_character([1.0, 2.0, 3.0], tokens, [True, True, True], spelling)
    assert plain == pytest.approx(6.0 / 9)
    with_unknown = bits_per_character([1.0, 2.0, 3.0], tokens, [True, False, True], spelling)
    assert with_unknown == pytest.approx((6.0 + spelling.bits(" zog")) / 9)


def test_glove_rows_are_glove_vectors_of_the_lower_case_word():
    from utils.w2v_utils import load_glove
    words, vectors = load_glove()
    matrix, found = word_lm.glove_embedding_matrix(["<unk>", " King", "\n", ",", " xyzzyqq"])
    assert found.tolist() == [False, True, False, True, False]
    assert np.array_equal(matrix[1], vectors[words.index("king")])
    assert np.array_equal(matrix[3], vectors[words.index(",")])
    assert matrix.shape == (5, 50) and matrix.dtype == np.float32


def test_lstm_token_bits_are_the_models_log_probabilities():
    import keras
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None,), dtype="int32")
    model = keras.Model(inputs, keras.layers.Dense(6)(keras.layers.LSTM(4, return_sequences=True)(
        keras.layers.Embedding(6, 3)(inputs))))
    ids = np.array([1, 4, 2, 2, 5, 0, 3, 1, 4, 4, 2], np.int32)
    bits = word_lm.lstm_token_bits(model, ids, seq_length=4, batch_size=2)
    assert bits.shape == (10,)
    expected = []
    for start in range(0, 10, 4):  # windows [0:4], [4:8], [8:10], each from a zero state
        window = ids[start:min(start + 4, 10)]
        logits = keras.ops.convert_to_numpy(model(window[None], training=False))[0]
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        expected += list(-log_p[np.arange(len(window)), ids[start + 1:start + 1 + len(window)]] / math.log(2))
    np.testing.assert_allclose(bits, expected, rtol=1e-5)


def test_the_shipped_record_holds_the_vocabulary_the_notebook_builds():
    record = word_lm.shipped_record()
    vocabulary, _ = word_lm.vocabulary_and_ids()
    assert record["vocabulary"] == vocabulary
    assert record["min_count"] == word_lm.MIN_COUNT and record["model"] == word_lm.MODEL


def test_shipped_models_for_another_vocabulary_are_refused():
    with pytest.raises(ValueError, match="make models"):
        word_lm.load_shipped_models(vocabulary=["<unk>", " a"])
