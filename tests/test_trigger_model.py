"""Tests of the trigger word model helpers (utils.trigger_model)."""
import json

import keras
import numpy as np
import pytest

from utils import td_utils as td
from utils import trigger_model as tm


def test_modelf_shapes_and_course_layers():
    model = tm.modelf((td.Tx, td.N_FREQ))
    assert model.output_shape == (None, td.Ty, 1)
    names = [type(layer).__name__ for layer in model.layers]
    assert names.count("GRU") == 2 and names.count("BatchNormalization") == 3 and names.count("Dropout") == 4
    assert model.layers[-1].get_config()["activation"] == "sigmoid"
    small = tm.modelf((99, td.N_FREQ))
    assert small.output_shape == (None, (99 - 15) // 4 + 1, 1)


def test_dense_on_a_sequence_equals_time_distributed_dense():
    x = np.random.RandomState(0).standard_normal((2, 7, 5)).astype(np.float32)
    dense = keras.layers.Dense(1, activation="sigmoid")
    wrapped = keras.layers.TimeDistributed(keras.layers.Dense(1, activation="sigmoid"))
    out = np.asarray(dense(x))
    wrapped(x)
    wrapped.layer.set_weights(dense.get_weights())
    np.testing.assert_allclose(out, np.asarray(wrapped(x)), atol=1e-6)


def test_predict_pads_batches_without_changing_results():
    keras.utils.set_random_seed(0)
    model = tm.modelf((99, td.N_FREQ))
    X = np.random.RandomState(1).standard_normal((3, 99, td.N_FREQ)).astype(np.float16)
    probs = tm.predict(model, X, batch_size=2)
    assert probs.shape == (3, 22)
    np.testing.assert_allclose(probs, np.asarray(model(X.astype(np.float32), training=False))[..., 0], atol=1e-5)


def test_choose_threshold_takes_the_best_f1():
    probs = np.zeros((1, td.Ty))
    probs[0, td.end_step(5000) + 10] = 0.6   # the true word, weakly
    probs[0, 300] = 0.45                     # a false alarm below 0.5
    best, scores = tm.choose_threshold(probs, [[5000]], thresholds=(0.3, 0.4, 0.5, 0.7))
    assert best == 0.5 and scores[0.5] == 1.0 and scores[0.7] == 0.0 and scores[0.4] < 1.0


def test_dev_report_has_baselines():
    Y = np.zeros((2, td.Ty, 1))
    Y[0, td.end_step(5000) + 1: td.end_step(5000) + 51] = 1
    probs = Y[..., 0] * 0.9
    report = tm.dev_report(probs, Y, [[5000], []], 0.5)
    assert report["f1"] == 1.0 and report["frame_accuracy"] == 1.0 and report["all_zeros_f1"] == 0.0
    assert report["all_zeros_frame_accuracy"] == pytest.approx(1 - 50 / (2 * td.Ty))


def test_missing_or_damaged_files_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="make models"):
        tm.load_shipped_model(tmp_path / "none.weights.h5", tmp_path / "none.json")
    info = tmp_path / "model.json"
    info.write_text("{not json")
    with pytest.raises(ValueError, match="not a trigger word model record"):
        tm.read_info(info)
    info.write_text(json.dumps({"format": tm.FORMAT, "dropout": 0.2}))
    bad = tmp_path / "model.weights.h5"
    bad.write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match=r"model\.weights\.h5 could not be loaded .*make models"):
        tm.load_shipped_model(bad, info)


def test_shipped_record_matches_the_recipe():
    info = tm.read_info()
    assert info["training"]["n_train"] >= 4000 and 1 <= info["epochs"] <= info["training"]["max_epochs"]
    assert len(info["history"]["loss"]) == info["epochs"]
    assert info["dev"]["n_clips"] == info["training"]["n_dev"] and 0 <= info["dev"]["f1"] <= 1
    assert info["threshold"] in tm.THRESHOLDS


def test_make_models_trains_the_notebooks_own_modelf():
    tm.modelf((99, td.N_FREQ))
    assert tm._NOTEBOOK_MODELF.__code__.co_filename == td.NOTEBOOK.name  # compiled from the notebook's cell
