"""The W4A1 Transformer against the W3A1 attention model on the same date task, side by side in one run.

Both models come from their notebooks' own code (`load_definitions`): W3A1's with that notebook's settings, the
Transformer as `make models` trains it (`utils.date_transformer`). Both learn the same 30,000 dates and are evaluated
on the same 1,000 held-out dates (from seed 1, none seen in training). Reports exact match, parameters, training
and decoding time.
Writes benchmarks/results/transformer_vs_attention.md.

    .venv/bin/python benchmarks/transformer_vs_attention.py
"""
import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from utils.date_transformer import EPOCHS, date_splits, held_out_exact_match, train_transformer  # noqa: E402
from machine import machine_and_versions  # noqa: E402
from utils.nmt_utils import exact_match, load_dataset, preprocess_data  # noqa: E402
from utils.notebook_tools import ROOT, load_definitions  # noqa: E402

W3A1 = ROOT / "Week-3/W3A1_Date_Translation_with_Attention/Neural_Machine_Translation_with_Attention.ipynb"
W4A1 = ROOT / "Week-4/W4A1_Transformer/Transformer_Network.ipynb"
RESULTS = ROOT / "benchmarks/results/transformer_vs_attention.md"


def date_data():
    """The training dates and the 1,000 held-out dates both notebooks use, and W3A1's vocabularies."""
    dataset, test_set = date_splits()
    _, human_vocab, machine_vocab, inv_machine_vocab = load_dataset(0)
    return dataset, test_set, (human_vocab, machine_vocab, inv_machine_vocab)


def attention_model_row(dataset, test_set, vocabularies):
    """Train and evaluate the W3A1 model with that notebook's settings."""
    human_vocab, machine_vocab, inv_machine_vocab = vocabularies
    # Keras draws a layer's initializer seed when the layer is created, and the notebook's definitions create the
    # shared attention layers: seed first, as the notebook does, or every run starts from other weights.
    keras.utils.set_random_seed(0)
    w3 = load_definitions(W3A1)
    Tx, Ty, n_s = w3.Tx, w3.Ty, w3.n_s
    _, _, Xoh, Yoh = preprocess_data(dataset, human_vocab, machine_vocab, Tx, Ty)
    _, _, Xoh_test, _ = preprocess_data(test_set, human_vocab, machine_vocab, Tx, Ty)
    keras.utils.set_random_seed(1)
    model = w3.modelf(Tx, Ty, w3.n_a, n_s, len(human_vocab), len(machine_vocab))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss=["categorical_crossentropy"] * Ty)
    zeros = np.zeros((len(dataset), n_s), dtype=np.float32)
    start = time.perf_counter()
    model.fit([Xoh, zeros, zeros], list(Yoh.swapaxes(0, 1)), epochs=5, batch_size=100, verbose=0)
    train_seconds = time.perf_counter() - start
    zeros = np.zeros((len(test_set), n_s), dtype=np.float32)
    model.predict([Xoh_test[:10], zeros[:10], zeros[:10]], verbose=0)  # warm-up: trace the predict function once
    start = time.perf_counter()
    outputs = model.predict([Xoh_test, zeros, zeros], verbose=0)
    decode_seconds = time.perf_counter() - start
    ids = np.stack([np.argmax(o, axis=-1) for o in outputs], axis=1)
    predictions = ["".join(inv_machine_vocab[int(i)] for i in row) for row in ids]
    accuracy = exact_match(predictions, [machine for _, machine in test_set])
    return ["W3A1: Bi-LSTM encoder + attention + LSTM decoder (5 epochs)", model.count_params(), train_seconds,
            f"{accuracy:.1%}", "–", decode_seconds]


def transformer_row(dataset, test_set):
    """Train the W4A1 Transformer as `make models` does; evaluate greedy and beam decoding."""
    w4 = load_definitions(W4A1)
    transformer, train_seconds = train_transformer(w4, dataset, verbose=0)
    held_out_exact_match(w4, transformer, test_set[:10])  # warm-up, as for W3A1
    start = time.perf_counter()
    greedy = held_out_exact_match(w4, transformer, test_set)
    decode_seconds = time.perf_counter() - start
    beam = held_out_exact_match(w4, transformer, test_set, beam_width=3)
    return [f"W4A1: Transformer, 2+2 layers, d=64, 4 heads ({EPOCHS} epochs)", transformer.count_params(),
            train_seconds, f"{greedy:.1%}", f"{beam:.1%}", decode_seconds]


def main():
    tf.config.experimental.enable_op_determinism()
    dataset, test_set, vocabularies = date_data()
    start = time.perf_counter()
    rows = [attention_model_row(dataset, test_set, vocabularies), transformer_row(dataset, test_set)]
    table = ["| model | parameters | training time | exact match, greedy | exact match, beam B=3 "
             "| decoding time (1,000 dates, greedy) |", "|---|---|---|---|---|---|"]
    for name, params, train_seconds, greedy, beam, decode_seconds in rows:
        table.append(f"| {name} | {params:,} | {train_seconds:.0f} s | {greedy} | {beam} | {decode_seconds:.1f} s |")
        print(table[-1], flush=True)
    report = "\n".join([
        "# Dates: the W4A1 Transformer against the W3A1 attention model",
        "",
        f"Measured {date.today().isoformat()} with `.venv/bin/python benchmarks/transformer_vs_attention.py` (part of "
        f"`make bench`): both trained on the same {len(dataset):,} dates and evaluated on the same "
        f"{len(test_set):,} held-out dates, one after the other in one process ({time.perf_counter() - start:.0f} s "
        "in all).",
        f"Machine: {machine_and_versions(tf, keras)}. Times are wall-clock and depend on the load.",
        "",
        *table,
        "",
        "The W3A1 decoder predicts each character from the attention context and its LSTM state but never reads its "
        "own previous output, so one forward pass decodes every position; the Transformer decodes one character "
        "at a time (ten passes) and can use beam search.",
        "",
    ])
    RESULTS.write_text(report, encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
