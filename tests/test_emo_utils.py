"""Tests of utils/emo_utils.py: reading the data, tokenising, unknown words and bad input."""
import warnings

import numpy as np
import pytest

from utils.emo_utils import (EMOJIS, convert_to_one_hot, known_words, label_to_emoji, plot_confusion_matrix,
                             read_csv, tokenize)


def test_read_csv(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text("sentence,label\ni love you,0\nwhat a goal!,1\n")
    X, Y = read_csv(path)
    assert X.tolist() == ["i love you", "what a goal!"] and Y.tolist() == [0, 1]
    bad = tmp_path / "bad.csv"
    bad.write_text("text,emoji\nhello,2\n")
    with pytest.raises(ValueError, match="header 'sentence,label'"):
        read_csv(bad)
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        read_csv(tmp_path / "missing.csv")


def test_tokenize_lowercases_and_drops_punctuation():
    assert tokenize("Don't STOP, me now!!") == ["don't", "stop", "me", "now"]
    assert tokenize("...") == []


def test_known_words_warns_about_unknown_words_and_rejects_empty_sentences():
    vocabulary = {"i", "love", "pizza"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert known_words("I really love pizza", vocabulary) == ["i", "love", "pizza"]
    assert any("really" in str(w.message) for w in caught)
    with pytest.raises(ValueError, match="has no words"):
        known_words("  !? ", vocabulary)
    with pytest.raises(ValueError, match="none of the words"):
        known_words("xyzzy plugh", vocabulary)


def test_labels_and_one_hot():
    assert [label_to_emoji(i) for i in range(5)] == [EMOJIS[i] for i in range(5)]
    np.testing.assert_array_equal(convert_to_one_hot(np.array([2, 0]), C=3), [[0, 0, 1], [1, 0, 0]])


def test_confusion_matrix_counts():
    import matplotlib
    matplotlib.use("Agg")
    counts = plot_confusion_matrix([0, 0, 1, 4], [0, 1, 1, 4])
    assert counts[0, 0] == 1 and counts[0, 1] == 1 and counts[1, 1] == 1 and counts[4, 4] == 1 and counts.sum() == 4


def test_held_out_word_split_keeps_every_held_out_word_out_of_training():
    from utils.emo_utils import held_out_word_split
    X = np.array(["i love pizza", "i love tennis", "we ate pasta", "we played golf", "i adore you", "the pizza was hot"])
    Y = np.arange(len(X))
    rank = {"i": 1, "we": 2, "the": 3, "love": 10, "was": 4, "ate": 20, "played": 21, "you": 5,
            "pizza": 30, "tennis": 31, "pasta": 32, "golf": 33, "adore": 34, "hot": 35}
    for seed in range(5):
        (Xt, Yt), (Xv, Yv), held = held_out_word_split(X, Y, rare_from_rank=10, word_rank=rank, share=0.3, seed=seed)
        assert held and not held & {"i", "we", "the", "was", "you"}  # frequent words are never held out
        assert sorted(Yt.tolist() + Yv.tolist()) == Y.tolist()      # a partition of the sentences
        assert len(Xv) >= 0.3 * len(X)
        assert all(set(tokenize(s)) & held for s in Xv)
        assert not any(set(tokenize(s)) & held for s in Xt)
