"""Train the W4A1 notebook's Transformer on the Week-3 date task and ship its weights (`make models`).

    python -m utils.date_transformer train [--epochs 12]

The model classes come from the notebook itself (`load_definitions`), so the shipped weights are those of the
code a learner reads; the notebook builds the same architecture (`CONFIG`) and loads them. The weights and a JSON
record of the settings and results are saved together (utils.model_files).
"""
import argparse
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from utils import ROOT
from utils.model_files import save_weights_and_record, shown_path
from utils.nmt_utils import exact_match, load_dataset
from utils.notebook_tools import load_definitions

NOTEBOOK = ROOT / "Week-4/W4A1_Transformer/Transformer_Network.ipynb"
WEIGHTS = ROOT / "data/date_transformer.weights.h5"
RECORD_FORMAT = 1
CONFIG = dict(num_layers=2, embedding_dim=64, num_heads=4, fully_connected_dim=128, dropout_rate=0.1)
EPOCHS = 12
BATCH_SIZE = 64
LEARNING_RATE = 1e-3


def record_path(weights):
    """The JSON record saved beside a weights file: `x.weights.h5` -> `x.json`."""
    return Path(weights).with_name(Path(weights).name.removesuffix(".weights.h5") + ".json")


def date_splits():
    """The 30,000 training dates and the 1,000 held-out dates of W3A1 (none of them seen in training)."""
    dataset, *_ = load_dataset(30000, seed=0)
    seen = {human for human, _ in dataset}
    candidates, *_ = load_dataset(2000, seed=1)
    return dataset, [(human, machine) for human, machine in candidates if human not in seen][:1000]


def build_transformer(w4, seed=1):
    """The notebook's Transformer with CONFIG, wrapped for `fit` in its DateTransformer, weights created."""
    keras.utils.set_random_seed(seed)
    transformer = w4.Transformer(input_vocab_size=len(w4.source_vocab), target_vocab_size=len(w4.target_vocab),
                                 max_positional_encoding_input=w4.Tx, max_positional_encoding_target=w4.Ty, **CONFIG)
    model = w4.DateTransformer(transformer)
    model(tuple(np.zeros((1, n), np.int32) for n in (w4.Tx, w4.Ty)))
    return transformer, model


def train_transformer(w4, dataset, epochs=EPOCHS, verbose=2):
    """Train a new Transformer on `dataset` (deterministically); return it and the training time in seconds."""
    tf.config.experimental.enable_op_determinism()
    transformer, model = build_transformer(w4)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    X, D, Y = w4.encode_dates(dataset)
    keras.utils.set_random_seed(1)
    start = time.perf_counter()
    model.fit((X, D), Y, epochs=epochs, batch_size=BATCH_SIZE, verbose=verbose)
    return transformer, time.perf_counter() - start


def held_out_exact_match(w4, transformer, test_set, beam_width=1):
    """Exact match of greedy (beam_width 1) or beam-search decoding on `test_set`."""
    X_test, _, _ = w4.encode_dates(test_set)
    ids = (w4.greedy_decode(transformer, X_test) if beam_width == 1
           else w4.beam_search_decode(transformer, X_test, beam_width))
    return exact_match([w4.ids_to_date(row) for row in ids], [machine for _, machine in test_set])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["train"])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--output", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    w4 = load_definitions(NOTEBOOK)
    dataset, test_set = date_splits()
    transformer, seconds = train_transformer(w4, dataset, args.epochs)
    greedy = held_out_exact_match(w4, transformer, test_set)
    beam = held_out_exact_match(w4, transformer, test_set, beam_width=3)
    record = {"format": RECORD_FORMAT, "model": CONFIG, "data": {"train": "load_dataset(30000, seed=0)",
                                                            "held_out": "1,000 unseen dates of load_dataset(seed=1)"},
              "training": {"epochs": args.epochs, "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE, "seed": 1},
              "held_out_exact_match": {"greedy": round(greedy, 4), "beam_3": round(beam, 4)},
              "seconds": round(seconds), "versions": {"keras": keras.__version__, "tensorflow": tf.__version__}}
    save_weights_and_record(transformer, args.output, record, record_path(args.output))
    print(f"trained {args.epochs} epochs in {seconds:.0f} s; held-out exact match: greedy {greedy:.1%}, "
          f"beam B=3 {beam:.1%}; wrote {shown_path(args.output)} and its record")


if __name__ == "__main__":
    main()
