"""Tests of utils/ner_model.py: entity F1, training, saving and loading the NER taggers, bad files."""
import json

import numpy as np
import pytest

from utils.ner_data import load_ner_dataset, predict_tags
from utils.ner_model import (DATA, RECORD_NAME, TRAINING, VARIANTS, ValidationF1, _spans, choose_epoch, load_dataset,
                             load_tagger, micro_f1, save_tagger, train_tagger, vocab_for, weights_file)


def test_spans_follow_the_conll_rules():
    assert _spans(["B-PER", "I-PER", "O", "B-LOC"]) == [("PER", 0, 2), ("LOC", 3, 4)]
    assert _spans(["O", "I-ORG", "I-ORG"]) == [("ORG", 1, 3)]
    assert _spans(["B-PER", "B-PER", "I-ORG"]) == [("PER", 0, 1), ("PER", 1, 2), ("ORG", 2, 3)]
    assert _spans([]) == []


def test_micro_f1():
    true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O", "B-DATE", "I-DATE"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O", "B-DATE", "O"]]
    assert micro_f1(true, pred) == pytest.approx(0.5)
    assert micro_f1(true, true) == 1.0
    assert micro_f1([["O"]], [["O"]]) == 0.0


def test_choose_epoch_takes_the_first_epoch_near_the_best():
    assert choose_epoch([0.5, 0.9, 0.95, 0.949, 0.96], tolerance=0.002) == 5
    assert choose_epoch([0.5, 0.9, 0.959, 0.949, 0.96], tolerance=0.002) == 3
    assert choose_epoch([0.7], tolerance=0.0) == 1
    assert choose_epoch([0.1, 0.2, 0.2], tolerance=0.0) == 2
    with pytest.raises(ValueError, match="no validation"):
        choose_epoch([])


@pytest.fixture(scope="module")
def tiny():
    data = load_ner_dataset(n_train=40, n_test=10, seed=5, n_val=12)
    train = data["train"]
    vocab = vocab_for("shape_dropout", train)
    validation = ValidationF1(data["val"], vocab, tolerance=1.0)  # tolerance 1: epoch 1 is always kept
    model, losses = train_tagger(train, vocab, unknown_rate=0.2, epochs=2, batch_size=16, callbacks=[validation])
    return train, vocab, model, losses, validation, data["val"]


def test_validation_callback_scores_every_epoch_and_restores(tiny):
    train, vocab, model, _, validation, val = tiny
    assert len(validation.scores) == len(validation.weights) == 2
    assert all(0.0 <= f1 <= 1.0 for f1 in validation.scores)
    val_words, val_tags = [w for w, _ in val], [t for _, t in val]
    assert micro_f1(val_tags, predict_tags(model, val_words, vocab)) == pytest.approx(validation.scores[1])
    final = model.get_weights()
    assert validation.restore() == 1
    for restored, kept in zip(model.get_weights(), validation.weights[0]):
        np.testing.assert_array_equal(restored, kept)
    model.set_weights(final)  # the other tests use the trained model


def test_training_runs_and_the_loss_falls(tiny):
    _, _, model, losses, _, _ = tiny
    assert len(losses) == 2 and np.all(np.isfinite(losses)) and losses[1] < losses[0]


def test_save_and_load_round_trip_and_bad_files(tiny, tmp_path):
    train, vocab, model, _, _, _ = tiny
    save_tagger(model, "shape_dropout", vocab, {"test_micro_f1": 0.0}, folder=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD_NAME, "ner_tagger_shape_dropout.weights.h5"]
    loaded, loaded_vocab, entry = load_tagger("shape_dropout", train, folder=tmp_path)
    assert loaded_vocab == vocab and entry["vocab_size"] == len(vocab) and entry["unknown_rate"] == 0.2
    words = [w for w, _ in train[:5]]
    assert predict_tags(loaded, words, vocab) == predict_tags(model, words, vocab)
    # Another training set gives another vocabulary: refused, not silently wrong.
    other = load_ner_dataset(n_train=40, n_test=10, seed=6)["train"]
    with pytest.raises(ValueError, match="vocabulary"):
        load_tagger("shape_dropout", other, folder=tmp_path)
    with pytest.raises(FileNotFoundError, match="make models"):
        load_tagger("plain", train, folder=tmp_path)
    with pytest.raises(ValueError, match="unknown variant"):
        weights_file("nonsense")
    weights_file("shape_dropout", tmp_path).write_bytes(b"not an HDF5 file")
    with pytest.raises(ValueError, match="could not be loaded"):
        load_tagger("shape_dropout", train, folder=tmp_path)
    (tmp_path / RECORD_NAME).write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="make models"):
        load_tagger("shape_dropout", train, folder=tmp_path)


@pytest.mark.skipif(not (DATA / RECORD_NAME).is_file(), reason="the NER taggers are not built (make models)")
def test_shipped_taggers_reach_their_recorded_scores():
    data = load_dataset()
    record = json.loads((DATA / RECORD_NAME).read_text(encoding="utf-8"))
    assert set(record["variants"]) == set(VARIANTS)
    for variant in ("shape_dropout", "plain"):
        model, vocab, entry = load_tagger(variant, data["train"])
        assert entry["epoch"] == choose_epoch(entry["val_micro_f1_per_epoch"])
        assert len(entry["loss"]) == len(entry["val_micro_f1_per_epoch"]) == TRAINING["max_epochs"]
        for split in ("val", "test"):
            f1 = micro_f1([t for _, t in data[split]], predict_tags(model, [w for w, _ in data[split]], vocab))
            assert f1 == pytest.approx(entry[f"{split}_micro_f1"], abs=2e-3)
    # The lab's model is the variant chosen on validation.
    assert record["best_on_validation"] == "shape_dropout"
    assert record["variants"]["shape_dropout"]["test_micro_f1"] > 0.9
