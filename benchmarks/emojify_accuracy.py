"""Test accuracy of Emojifier-V1 and V2 over several seeds: mean and spread, not one lucky run.

Uses the W2A2 notebook's own functions (`model`, `predict`, `sentences_to_indices`, `Emojify_V2`) with the
notebook's settings (V1: 400 iterations, learning rate 0.01; V2: 60 epochs, batch 32, Adam 0.001).
For each seed, V1 starts from different random weights and V2 from different weights, dropout masks and
batch order. Writes benchmarks/results/emojify_accuracy.md.

    .venv/bin/python benchmarks/emojify_accuracy.py [--seeds 1 2 3 4 5]
"""
import argparse
import contextlib
import io
import os
import platform
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from utils.emo_utils import TEST_CSV, TRAIN_CSV, convert_to_one_hot, read_csv  # noqa: E402
from utils.notebook_tools import ROOT, load_definitions  # noqa: E402
from utils.w2v_utils import glove_word_indices, read_glove_vecs  # noqa: E402

NOTEBOOK = ROOT / "Week-2/W2A2_Emojify/Emojify.ipynb"
RESULTS = ROOT / "benchmarks/results/emojify_accuracy.md"


def v1_accuracy(w2a2, data, word_to_vec_map, seed):
    (X_train, Y_train), (X_test, Y_test) = data
    with contextlib.redirect_stdout(io.StringIO()):
        _, W, b = w2a2.model(X_train, Y_train, word_to_vec_map, seed=seed)
        pred = w2a2.predict(X_test, None, W, b, word_to_vec_map)
    return float(np.mean(pred == Y_test))


def v2_accuracy(w2a2, data, word_to_vec_map, word_to_index, seed):
    (X_train, Y_train), (X_test, Y_test) = data
    max_len = max(len(s.split()) for s in X_train)
    keras.utils.set_random_seed(seed)
    model = w2a2.Emojify_V2((max_len,), word_to_vec_map, word_to_index)
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.001),
                  metrics=["accuracy"])
    model.fit(w2a2.sentences_to_indices(X_train, word_to_index, max_len), convert_to_one_hot(Y_train, C=5),
              epochs=60, batch_size=32, shuffle=True, verbose=0)
    probabilities = model.predict(w2a2.sentences_to_indices(X_test, word_to_index, max_len), verbose=0)
    return float(np.mean(np.argmax(probabilities, axis=1) == Y_test))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    args = parser.parse_args()
    tf.config.experimental.enable_op_determinism()
    w2a2 = load_definitions(NOTEBOOK)
    data = (read_csv(TRAIN_CSV), read_csv(TEST_CSV))
    _, word_to_vec_map = read_glove_vecs()
    word_to_index, _ = glove_word_indices()
    rows, scores = [], {"V1": [], "V2": []}
    start = time.perf_counter()
    for seed in args.seeds:
        scores["V1"].append(v1_accuracy(w2a2, data, word_to_vec_map, seed))
        scores["V2"].append(v2_accuracy(w2a2, data, word_to_vec_map, word_to_index, seed))
        rows.append(f"| {seed} | {scores['V1'][-1]:.3f} | {scores['V2'][-1]:.3f} |")
        print(rows[-1], flush=True)
    summary = [f"| mean ± std | {np.mean(scores['V1']):.3f} ± {np.std(scores['V1']):.3f} "
               f"| {np.mean(scores['V2']):.3f} ± {np.std(scores['V2']):.3f} |",
               f"| min – max | {min(scores['V1']):.3f} – {max(scores['V1']):.3f} "
               f"| {min(scores['V2']):.3f} – {max(scores['V2']):.3f} |"]
    report = "\n".join([
        "# W2A2 Emojify: test accuracy over seeds",
        "",
        f"Measured {date.today().isoformat()} with `.venv/bin/python benchmarks/emojify_accuracy.py` (part of "
        f"`make bench`), {len(data[0][0])} training and {len(data[1][0])} test sentences, "
        f"{time.perf_counter() - start:.0f} s in all.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores; Python {platform.python_version()}, "
        f"NumPy {np.__version__}, TensorFlow {tf.__version__}, Keras {keras.__version__}.",
        "",
        "| seed | V1 (average + softmax) | V2 (2-layer LSTM) |",
        "|---|---|---|",
        *rows,
        *summary,
        "",
        "Targets: V1 at least 0.85, V2 at least 0.90 test accuracy.",
        "",
    ])
    RESULTS.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
