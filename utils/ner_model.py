"""Training and shipping the taggers of the named-entity recognition lab (Week 4).

    python -m utils.ner_model train      # retrain the four taggers from scratch into data/ (`make models`)
    python -m utils.ner_model evaluate   # validation and test micro F1 of the shipped weights

Four taggers share the network of `utils.ner_data.build_tagger` and the training recipe below, and differ only in
how they treat words outside the vocabulary (`VARIANTS`): one `<unk>` token or one per word shape, with or
without word dropout (each training word encoded as unknown with probability 0.2, re-drawn every epoch).

Choices are made on the validation split, never on the test split. Each variant trains for
`TRAINING["max_epochs"]` epochs while `ValidationF1` records its validation micro F1 after every epoch; the weights
kept are those of the first epoch whose validation F1 is within `TRAINING["epoch_tolerance"]` of the best one
(`choose_epoch`). The variant with the best validation F1 is the lab's model (`best_on_validation` in the record).
The test F1 is computed once, on the kept weights, and only reported.
"""
import argparse
import hashlib
import json
import time
from pathlib import Path

import keras

from utils import ROOT
from utils.model_files import load_weights_checked, save_weights_and_record, shown_path
from utils.ner_data import TAGS, build_tagger, build_vocab, encode_tags, encode_words, load_ner_dataset, predict_tags

DATA = ROOT / "data"
RECORD_NAME = "ner_tagger.json"  # the training record of all variants, beside the weights
FORMAT = 2
DATASET = {"n_train": 3000, "n_val": 600, "n_test": 600, "seed": 0, "min_count": 2}
MODEL = {"num_layers": 2, "embedding_dim": 64, "num_heads": 4, "fully_connected_dim": 128, "dropout_rate": 0.1}
TRAINING = {"max_epochs": 40, "epoch_tolerance": 0.002, "batch_size": 32, "learning_rate": 1e-3, "seed": 0}
VARIANTS = {
    "plain": {"shape_unknowns": False, "unknown_rate": 0.0},
    "shape": {"shape_unknowns": True, "unknown_rate": 0.0},
    "plain_dropout": {"shape_unknowns": False, "unknown_rate": 0.2},
    "shape_dropout": {"shape_unknowns": True, "unknown_rate": 0.2},
}


def weights_file(variant, folder=DATA):
    """Where the weights of `variant` live."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; the variants are {sorted(VARIANTS)}")
    return Path(folder) / f"ner_tagger_{variant}.weights.h5"


def vocab_for(variant, train):
    """The vocabulary of `variant`, read off the training sentences."""
    return build_vocab(train, min_count=DATASET["min_count"], shape_unknowns=VARIANTS[variant]["shape_unknowns"])


def vocab_digest(vocab):
    """A short checksum of a vocabulary (tokens in id order), to notice a vocabulary that changed."""
    tokens = "\n".join(sorted(vocab, key=vocab.get))
    return hashlib.sha256(tokens.encode("utf-8")).hexdigest()[:16]


def load_dataset():
    """The seeded sentences of `DATASET` (train, val, test and the held-out flags), as `load_ner_dataset` gives."""
    return load_ner_dataset(DATASET["n_train"], DATASET["n_test"], DATASET["seed"], n_val=DATASET["n_val"])


def train_tagger(train, vocab, unknown_rate=0.2, epochs=None, batch_size=None, learning_rate=None, seed=None,
                 progress=None, callbacks=None):
    """A new tagger (`MODEL` sizes) trained on `train` sentences: (model, training loss per epoch).

    Settings left as None come from `TRAINING` (`epochs`: `TRAINING["max_epochs"]`). Word dropout: at every epoch
    the words are encoded afresh with `unknown_rate` (seed = epoch number). Padded positions get sample weight 0.
    `progress(epoch, loss)` is called after each epoch if given; Keras `callbacks` see the true epoch numbers.
    """
    epochs = TRAINING["max_epochs"] if epochs is None else epochs
    batch_size = TRAINING["batch_size"] if batch_size is None else batch_size
    learning_rate = TRAINING["learning_rate"] if learning_rate is None else learning_rate
    seed = TRAINING["seed"] if seed is None else seed
    keras.utils.set_random_seed(seed)
    model = build_tagger(len(vocab), **MODEL)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    words = [w for w, _ in train]
    tag_ids = encode_tags([t for _, t in train])
    losses = []
    for epoch in range(epochs):
        ids = encode_words(words, vocab, unknown_rate=unknown_rate, seed=epoch)
        history = model.fit(ids, tag_ids, sample_weight=(ids > 0).astype("float32"), batch_size=batch_size,
                            initial_epoch=epoch, epochs=epoch + 1, shuffle=True, verbose=0, callbacks=callbacks)
        losses.append(float(history.history["loss"][0]))
        if progress is not None:
            progress(epoch, losses[-1])
    return model, losses


def _spans(tags):
    """(type, start, end) entities of BIO tags, CoNLL rules (an I-X after a non-X tag starts an entity)."""
    spans, kind, start = [], None, 0
    for i, tag in enumerate(list(tags) + ["O"]):
        if kind is not None and tag != f"I-{kind}":
            spans.append((kind, start, i))
            kind = None
        if tag != "O" and kind is None:
            kind, start = tag[2:], i
    return spans


def micro_f1(true_tags, pred_tags):
    """Entity-level micro F1 (exact span and type) over a list of sentences."""
    true = {(n,) + s for n, tags in enumerate(true_tags) for s in _spans(tags)}
    pred = {(n,) + s for n, tags in enumerate(pred_tags) for s in _spans(tags)}
    right = len(true & pred)
    return 2 * right / (len(true) + len(pred)) if true or pred else 0.0


def choose_epoch(scores, tolerance=None):
    """The epoch (1-based) to keep: the first whose score is within `tolerance` of the best score.

    Fewer epochs for (almost) the same validation score: `tolerance` (default `TRAINING["epoch_tolerance"]`)
    is about the size of the epoch-to-epoch noise of the validation F1.
    """
    tolerance = TRAINING["epoch_tolerance"] if tolerance is None else tolerance
    if len(scores) == 0:
        raise ValueError("no validation scores to choose an epoch from")
    best = max(scores)
    return next(epoch for epoch, score in enumerate(scores, start=1) if score >= best - tolerance)


class ValidationF1(keras.callbacks.Callback):
    """Records the entity micro F1 on validation sentences after every epoch, and the weights of every epoch.

    After training, `restore()` puts back the weights of `choose_epoch(self.scores)` and returns that epoch.
    Prediction runs with training=False, which draws no random numbers: training goes on exactly as without it.
    """

    def __init__(self, sentences, vocab, tolerance=None):
        super().__init__()
        self.words, self.tags = [w for w, _ in sentences], [t for _, t in sentences]
        self.vocab, self.tolerance = vocab, tolerance
        self.scores, self.weights = [], []

    def on_epoch_end(self, epoch, logs=None):
        self.scores.append(micro_f1(self.tags, predict_tags(self.model, self.words, self.vocab)))
        self.weights.append(self.model.get_weights())
        if logs is not None:
            logs["val_micro_f1"] = self.scores[-1]

    def restore(self):
        epoch = choose_epoch(self.scores, self.tolerance)
        self.model.set_weights(self.weights[epoch - 1])
        return epoch


def save_tagger(model, variant, vocab, record_entry, folder=DATA):
    """Write the weights of `variant` and its entry in the JSON record (other variants' entries are kept)."""
    bare = build_tagger(len(vocab), **MODEL)  # weights only: no optimizer state in the file
    bare.set_weights(model.get_weights())
    target = weights_file(variant, folder)
    record_file = Path(folder) / RECORD_NAME
    record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    if record.get("format") != FORMAT:
        record = {}
    record.update(format=FORMAT, dataset=DATASET, model=MODEL, training=TRAINING, tags=TAGS,
                  keras=keras.__version__)
    record.setdefault("variants", {})[variant] = {**VARIANTS[variant], "vocab_size": len(vocab),
                                                  "vocab_sha256_16": vocab_digest(vocab), **record_entry}
    record["variants"] = {name: record["variants"][name] for name in VARIANTS if name in record["variants"]}
    scored = {name: entry["val_micro_f1"] for name, entry in record["variants"].items() if "val_micro_f1" in entry}
    record["best_on_validation"] = max(scored, key=scored.get) if scored else None
    save_weights_and_record(bare, target, record, record_file)


def load_tagger(variant, train=None, folder=DATA):
    """(model, vocab, record entry) of a shipped tagger; `train` = the training sentences if already loaded.

    The vocabulary is rebuilt from the seeded training data and checked against the one the weights were
    trained with. A missing, damaged or mismatched file raises an error that says how to rebuild it.
    """
    rebuild = "run `make models` (python -m utils.ner_model train) to rebuild it"
    path, record_file = weights_file(variant, folder), Path(folder) / RECORD_NAME
    for file in (path, record_file):
        if not file.is_file():
            raise FileNotFoundError(f"{shown_path(file)} is missing: {rebuild}")
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        entry = record["variants"][variant]
        if record.get("format") != FORMAT or record["model"] != MODEL:
            raise ValueError("it was written for another model or format")
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{shown_path(record_file)} does not describe the variant {variant!r} ({error}): "
                         f"{rebuild}") from None
    if train is None:
        train = load_ner_dataset(DATASET["n_train"], DATASET["n_test"], DATASET["seed"], n_val=0)["train"]
    vocab = vocab_for(variant, train)
    if vocab_digest(vocab) != entry["vocab_sha256_16"]:
        raise ValueError(f"the vocabulary rebuilt from the data differs from the one {shown_path(path)} was trained "
                         f"with (another Faker version?): {rebuild}")
    model = build_tagger(len(vocab), **MODEL)
    load_weights_checked(model, path, rebuild)
    return model, vocab, entry


def _train_command(args):
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    data = load_dataset()
    test_words, test_tags = [w for w, _ in data["test"]], [t for _, t in data["test"]]
    DATA.mkdir(exist_ok=True)
    for variant in args.variants or list(VARIANTS):
        vocab = vocab_for(variant, data["train"])
        validation = ValidationF1(data["val"], vocab)
        start = time.time()

        def progress(epoch, loss):
            print(f"{variant}: epoch {epoch + 1}/{TRAINING['max_epochs']} loss {loss:.4f} "
                  f"validation micro F1 {validation.scores[-1]:.4f} ({time.time() - start:.0f} s)", flush=True)

        model, losses = train_tagger(data["train"], vocab, VARIANTS[variant]["unknown_rate"], progress=progress,
                                     callbacks=[validation])
        seconds = time.time() - start
        epoch = validation.restore()
        val_f1 = validation.scores[epoch - 1]
        f1 = micro_f1(test_tags, predict_tags(model, test_words, vocab))  # reported, never used to choose
        save_tagger(model, variant, vocab, {
            "loss": [round(v, 4) for v in losses], "val_micro_f1_per_epoch": [round(v, 4) for v in validation.scores],
            "epoch": epoch, "val_micro_f1": round(val_f1, 4), "test_micro_f1": round(f1, 4),
            "seconds": round(seconds)})
        print(f"wrote {shown_path(weights_file(variant))}: weights of epoch {epoch} (best validation micro F1 "
              f"{max(validation.scores):.4f}), validation micro F1 {val_f1:.4f}, test micro F1 {f1:.4f}, "
              f"{seconds:.0f} s", flush=True)
    record = json.loads((DATA / RECORD_NAME).read_text(encoding="utf-8"))
    print(f"best variant on validation: {record['best_on_validation']}")


def _evaluate_command(args):
    data = load_dataset()
    for variant in args.variants or list(VARIANTS):
        model, vocab, entry = load_tagger(variant, data["train"])
        for split in ("val", "test"):
            f1 = micro_f1([t for _, t in data[split]], predict_tags(model, [w for w, _ in data[split]], vocab))
            print(f"{variant:14s} {split:4s} micro F1 {f1:.4f} (recorded {entry[f'{split}_micro_f1']:.4f})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("train", "train from scratch and write data/ner_tagger_*.weights.h5 and the JSON"),
                            ("evaluate", "validation and test micro F1 of the shipped weights")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("variants", nargs="*", metavar="VARIANT",
                             help=f"some of {', '.join(VARIANTS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [v for v in args.variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")
    {"train": _train_command, "evaluate": _evaluate_command}[args.command](args)


if __name__ == "__main__":
    main()
