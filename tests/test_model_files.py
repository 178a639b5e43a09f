"""Shipped models are saved one way (utils.model_files): weights and JSON record together, and loaded with checks."""
import json

import numpy as np
import pytest

from utils.model_files import load_weights_checked, read_record, save_weights_and_record, shown_path
from utils.notebook_tools import ROOT

keras = pytest.importorskip("keras")


def small_model(seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def test_a_model_saved_with_its_record_loads_back(tmp_path):
    model, weights, record = small_model(0), tmp_path / "m.weights.h5", tmp_path / "m.json"
    save_weights_and_record(model, weights, {"format": 3, "units": 2}, record)
    assert read_record(record, 3, "test model") == {"format": 3, "units": 2}
    other = small_model(1)
    load_weights_checked(other, weights, "run `make models`")
    x = np.ones((1, 3), np.float32)
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.weights.h5"]  # no temporary files left


def test_a_failed_save_keeps_the_previous_files(tmp_path):
    weights, record = tmp_path / "m.weights.h5", tmp_path / "m.json"
    save_weights_and_record(small_model(0), weights, {"format": 1}, record)
    before = weights.read_bytes(), record.read_text()
    with pytest.raises(TypeError):  # a record that is not JSON fails after the weights were written
        save_weights_and_record(small_model(1), weights, {"format": 1, "bad": object()}, record)
    assert (weights.read_bytes(), record.read_text()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.weights.h5"]


def test_a_truncated_weights_file_gives_an_error_naming_it_and_the_fix(tmp_path):
    weights = tmp_path / "m.weights.h5"
    save_weights_and_record(small_model(0), weights, {"format": 1}, tmp_path / "m.json")
    weights.write_bytes(weights.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"m\.weights\.h5 could not be loaded .*run `make models`"):
        load_weights_checked(small_model(0), weights, "run `make models`")


@pytest.mark.parametrize("content,match", [(None, "missing"), ("{not json", "not a test model record"),
                                           (json.dumps({"format": 2}), "not a test model record")])
def test_a_missing_damaged_or_foreign_record_says_to_run_make_models(tmp_path, content, match):
    record = tmp_path / "m.json"
    if content is not None:
        record.write_text(content)
    with pytest.raises((FileNotFoundError, ValueError), match=match) as error:
        read_record(record, 1, "test model")
    assert "make models" in str(error.value)


def test_paths_in_messages_are_relative_to_the_repository():
    assert shown_path(ROOT / "data" / "x.json") == "data/x.json"
