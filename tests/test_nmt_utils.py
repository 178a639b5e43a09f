"""Tests of utils/nmt_utils.py: the date generator, vocabularies, encodings and bad input."""
import random
import warnings
from datetime import date

import numpy as np
import pytest

from utils.nmt_utils import (PAD, UNK, exact_match, human_readable, int_to_string, load_dataset, ordinal,
                             preprocess_data, string_to_int)


def test_dataset_is_reproducible_and_leaves_global_random_state_alone():
    random.seed(123)
    before = random.random()
    random.seed(123)
    first, human_vocab, machine_vocab, inv_machine_vocab = load_dataset(200, seed=7)
    assert random.random() == before  # no global seeding or drawing
    assert load_dataset(200, seed=7)[0] == first and load_dataset(200, seed=8)[0] != first
    assert all(len(h) <= 30 for h, _ in first)
    assert all(len(m) == 10 and date.fromisoformat(m) for _, m in first)
    assert set(machine_vocab) == set("0123456789-") and inv_machine_vocab[machine_vocab["7"]] == "7"
    assert {UNK, PAD} <= set(human_vocab)


def test_ordinals():
    assert [ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]


def test_numeric_styles_have_one_reading():
    """Slashes are month first, dots day first: reading them back gives the same date."""
    rng = random.Random(0)
    day = date(2001, 3, 4)
    for _ in range(300):
        text = human_readable(day, rng)
        if "/" in text:
            month, dd, _ = text.split("/")
            assert (int(month), int(dd)) == (3, 4), text
        if "." in text:
            dd, month, _ = text.split(".")
            assert (int(dd), int(month)) == (4, 3), text


def test_string_to_int_pads_maps_unknowns_and_warns_on_truncation():
    _, human_vocab, _, _ = load_dataset(1)
    encoded = string_to_int("3 May", 8, human_vocab)
    assert len(encoded) == 8 and encoded[5:] == [human_vocab[PAD]] * 3
    assert string_to_int("3 MAY", 8, human_vocab) == encoded  # lower-cased
    assert string_to_int("25 déc", 8, human_vocab)[4] == human_vocab[UNK]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(string_to_int("x" * 40, 30, human_vocab)) == 30
    assert "longer than 30" in str(caught[0].message)
    with pytest.raises(ValueError, match="no <unk>"):
        string_to_int("a?", 3, {"a": 0})


def test_preprocess_and_decode_round_trip():
    dataset, human_vocab, machine_vocab, inv_machine_vocab = load_dataset(50, seed=3)
    X, Y, Xoh, Yoh = preprocess_data(dataset, human_vocab, machine_vocab, 30, 10)
    assert X.shape == (50, 30) and Xoh.shape == (50, 30, len(human_vocab)) and Yoh.shape == (50, 10, 11)
    np.testing.assert_array_equal(Xoh.argmax(-1), X)
    assert ["".join(int_to_string(row, inv_machine_vocab)) for row in Y] == [m for _, m in dataset]
    assert exact_match(["a", "b"], ["a", "c"]) == 0.5
