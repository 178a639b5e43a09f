"""The trigger word model of W3A2 (Conv1D + two GRUs, one sigmoid per output step): training and shipped weights.

    python -m utils.trigger_model train      # `make models`: builds the datasets, trains, writes data/trigger_word_model.*
    python -m utils.trigger_model evaluate   # dev-set metrics of the shipped weights

Data: `utils.td_utils.cached_dataset` (synthetic, deterministic, made by the notebook's own create_training_example,
cached as float16 under cache/, git-ignored):
TRAINING["n_train"] examples of the "train" split, a "val" split of the same voices and background kinds
(used only to choose the detection threshold) and the "dev" split (new voices, variants and backgrounds).
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path

import keras
import numpy as np
from keras import layers

from utils import ROOT
from utils import td_utils as td
from utils.model_files import load_weights_checked, read_record, save_weights_and_record, shown_path

WEIGHTS_FILE = ROOT / "data" / "trigger_word_model.weights.h5"
INFO_FILE = ROOT / "data" / "trigger_word_model.json"
# At most `max_epochs` passes over the training set, and no new epoch once `budget_minutes` of training are
# spent (on 2 shared CPU cores that is what decides; the JSON record says how many epochs ran).
TRAINING = {"n_train": 4000, "n_val": 200, "n_dev": 300, "max_epochs": 8, "budget_minutes": 38, "batch_size": 32,
            "learning_rate": 1e-3, "seed": 0, "data_seeds": {"train": 0, "val": 1, "dev": 2}}
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.3, 0.91, 0.05))
FORMAT = 1


def modelf(input_shape):
    """The W3A2 notebook's graded `modelf`, loaded from the notebook: the shipped model is the learner's architecture
    (Conv1D, batch norm, two GRUs, dropout 0.2, one sigmoid per output step; see the notebook's part 2)."""
    from utils.notebook_tools import load_definitions
    global _NOTEBOOK_MODELF
    if _NOTEBOOK_MODELF is None:
        _NOTEBOOK_MODELF = load_definitions(td.NOTEBOOK).modelf
    return _NOTEBOOK_MODELF(input_shape)


_NOTEBOOK_MODELF = None


def dropout_rates(model):
    """The distinct dropout rates of a model's layers (recorded with the shipped weights)."""
    return sorted({layer.rate for layer in model.layers if isinstance(layer, layers.Dropout)})


class Batches(keras.utils.PyDataset):
    """Shuffled minibatches from (possibly memory-mapped, float16) arrays, as float32; deterministic order."""

    def __init__(self, X, Y, batch_size, seed):
        super().__init__(workers=1, use_multiprocessing=False, max_queue_size=2)
        self.X, self.Y, self.batch_size = X, Y, batch_size
        self.rng = np.random.RandomState(seed)
        self.order = self.rng.permutation(len(X))

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __getitem__(self, i):
        index = np.sort(self.order[i * self.batch_size:(i + 1) * self.batch_size])
        return np.asarray(self.X[index], dtype=np.float32), np.asarray(self.Y[index], dtype=np.float32)

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.X))


def compile_model(model, learning_rate=TRAINING["learning_rate"]):
    """Adam (gradients clipped to norm 1), binary cross-entropy, frame accuracy."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=1.0),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def predict(model, X, batch_size=25):
    """The model's probabilities (m, Ty) for inputs X (m, Tx, 101), float16 accepted.

    Every batch is padded to `batch_size` examples, so Keras traces its prediction function only once
    (tracing the two GRUs costs more than predicting a few padded examples).
    """
    out = []
    for i in range(0, len(X), batch_size):
        batch = np.asarray(X[i:i + batch_size], dtype=np.float32)
        padded = np.concatenate([batch, np.zeros((batch_size - len(batch),) + batch.shape[1:], np.float32)])
        out.append(np.asarray(model.predict_on_batch(padded))[:len(batch)])
    return np.concatenate(out)[..., 0]


def choose_threshold(probs, ends, thresholds=THRESHOLDS):
    """The threshold with the best event F1 on (probs, ends) (the lower one on ties), and the F1 per threshold."""
    scores = {t: td.event_scores(probs, ends, threshold=t)["f1"] for t in thresholds}
    return max(thresholds, key=lambda t: (round(scores[t], 6), -t)), scores


def dev_report(probs, Y, ends, threshold):
    """Event precision/recall/F1 at `threshold`, frame accuracy, and the all-zeros baseline."""
    events = td.event_scores(probs, ends, threshold=threshold)
    return {"threshold": threshold, **{k: events[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")},
            "frame_accuracy": td.frame_accuracy(probs, Y, 0.5),
            "all_zeros_frame_accuracy": td.frame_accuracy(np.zeros_like(probs), Y, 0.5),
            "all_zeros_f1": td.event_scores(np.zeros_like(probs), ends, threshold=threshold)["f1"],
            "n_clips": int(len(Y)), "n_events": int(sum(len(e) for e in ends))}


def read_info(info_file=INFO_FILE):
    """The JSON record written with the shipped weights; errors name the file."""
    return read_record(info_file, FORMAT, "trigger word model")


def load_shipped_model(weights_file=WEIGHTS_FILE, info_file=INFO_FILE):
    """(model, info): the architecture rebuilt from the JSON record and the shipped weights loaded."""
    info = read_info(info_file)
    weights_file = Path(weights_file)
    if not weights_file.is_file():
        raise FileNotFoundError(f"missing {shown_path(weights_file)}: run `make models` to train the trigger word model")
    model = modelf((td.Tx, td.N_FREQ))
    load_weights_checked(model, weights_file, "run `make models` to rebuild it")
    return model, info


def _datasets(progress=True):
    seeds = TRAINING["data_seeds"]
    return {split: td.cached_dataset(TRAINING[f"n_{split}"], seeds[split], split, progress=progress)
            for split in ("train", "val", "dev")}


class _Progress(keras.callbacks.Callback):
    """Prints the loss and the elapsed time every 25 batches (training takes long on a CPU)."""

    def __init__(self, start):
        super().__init__()
        self.start = start

    def on_train_batch_end(self, batch, logs=None):
        if (batch + 1) % 25 == 0:
            print(f"  batch {batch + 1}: loss {logs['loss']:.4f} ({time.time() - self.start:.0f} s)", flush=True)


def train_main():
    import tensorflow as tf
    start = time.time()
    data = _datasets()
    data_s = time.time() - start
    print(f"datasets ready in {data_s:.0f} s")
    keras.utils.set_random_seed(TRAINING["seed"])
    tf.config.experimental.enable_op_determinism()
    X, Y, _ = data["train"]
    batches = Batches(X, Y, TRAINING["batch_size"], TRAINING["seed"])
    model = compile_model(modelf((td.Tx, td.N_FREQ)))
    history = {"loss": [], "val_f1": [], "seconds": []}
    Xv, Yv, ends_v = data["val"]
    train_start = time.time()
    for epoch in range(TRAINING["max_epochs"]):
        elapsed = time.time() - train_start
        if epoch >= 1 and elapsed + elapsed / epoch > 60 * TRAINING["budget_minutes"]:
            print(f"stopping after {epoch} epochs: another would exceed the {TRAINING['budget_minutes']}-minute budget")
            break
        h = model.fit(batches, epochs=1, verbose=0, callbacks=[_Progress(train_start)])
        history["loss"].append(round(float(h.history["loss"][-1]), 5))
        f1 = td.event_scores(predict(model, Xv), ends_v, threshold=0.5)["f1"]
        history["val_f1"].append(round(f1, 4))
        history["seconds"].append(round(time.time() - train_start))
        print(f"epoch {epoch + 1}: loss {history['loss'][-1]:.4f}, val event F1 at 0.5: {f1:.3f} "
              f"({time.time() - train_start:.0f} s)", flush=True)
    train_s = time.time() - train_start
    threshold, val_scores = choose_threshold(predict(model, Xv), ends_v)
    Xd, Yd, ends_d = data["dev"]
    report = dev_report(predict(model, Xd), Yd, ends_d, threshold)
    print(json.dumps(report, indent=1))
    info = {"format": FORMAT, "dropout": dropout_rates(model)[0], "Tx": td.Tx, "n_freq": td.N_FREQ, "Ty": td.Ty,
            "training": TRAINING, "epochs": len(history["loss"]), "dataset_version": td.DATASET_VERSION, "threshold": threshold,
            "tolerance_steps": [td.TOLERANCE_BEFORE, td.TOLERANCE_AFTER], "min_gap_steps": td.MIN_GAP,
            "history": history, "val_f1_per_threshold": {str(k): round(v, 4) for k, v in val_scores.items()},
            "dev": report,
            "seconds": {"data": round(data_s), "training": round(train_s), "total": round(time.time() - start)}}
    save_weights_and_record(model, WEIGHTS_FILE, info, INFO_FILE)
    print(f"wrote {shown_path(WEIGHTS_FILE)} and {shown_path(INFO_FILE)}; total {time.time() - start:.0f} s")


def evaluate_main():
    model, info = load_shipped_model()
    Xd, Yd, ends_d = td.cached_dataset(TRAINING["n_dev"], TRAINING["data_seeds"]["dev"], "dev")
    print(json.dumps(dev_report(predict(model, Xd), Yd, ends_d, info["threshold"]), indent=1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["train", "evaluate"])
    args = parser.parse_args(argv)
    train_main() if args.what == "train" else evaluate_main()


if __name__ == "__main__":
    sys.exit(main())
