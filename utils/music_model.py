"""The jazz-improvising LSTM in Keras 3 (W1A3): shared layers, training, shipped weights, sampling, music.

    python -m utils.music_model train      # retrain from scratch, fixed seeds; writes data/jazz_lstm.* (`make models`)
    python -m utils.music_model evaluate   # the training loss of the shipped weights

The model reads one grammar symbol (utils.music_utils) per step, one-hot, and predicts the next. Its two
trained layers, an LSTM cell and a softmax Dense layer, are shared by every step of the unrolled training
model and of the generator, so the shipped weights are just those two layers' weights.
"""
import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from utils import ROOT
from utils.model_files import read_record, save_weights_and_record, shown_path
from utils import music_utils as mu
from utils.music_synth import SAMPLE_RATE, synthesize, write_wav

WEIGHTS_FILE = ROOT / "data" / "jazz_lstm.weights.h5"
INFO_FILE = ROOT / "data" / "jazz_lstm.json"
N_A = 64  # hidden units of the LSTM
# The shipped model's training; the notebook trains a few epochs of the same, then loads the shipped weights.
TRAINING = {"epochs": 40, "batch_size": 32, "learning_rate": 0.005, "seed": 0}
FORMAT = 1


def shared_layers(n_values, n_a=N_A):
    """(LSTM_cell, densor, reshaper): the layers every time step shares."""
    return (keras.layers.LSTM(n_a, return_state=True), keras.layers.Dense(n_values, activation="softmax"),
            keras.layers.Reshape((1, n_values)))


def unrolled_model(Tx, LSTM_cell, densor, reshaper):
    """The training model: inputs [X (Tx, n_values), a0, c0], Tx softmax outputs (what djmodel builds)."""
    n_values, n_a = densor.units, LSTM_cell.units
    X = keras.Input(shape=(Tx, n_values))
    a0 = keras.Input(shape=(n_a,), name="a0")
    c0 = keras.Input(shape=(n_a,), name="c0")
    a, c, outputs = a0, c0, []
    for t in range(Tx):
        x = reshaper(X[:, t, :])
        a, _, c = LSTM_cell(x, initial_state=[a, c])
        outputs.append(densor(a))
    return keras.Model(inputs=[X, a0, c0], outputs=outputs)


def train(model, X, Y, epochs=TRAINING["epochs"], batch_size=TRAINING["batch_size"],
          learning_rate=TRAINING["learning_rate"], seed=TRAINING["seed"], verbose=1, callbacks=()):
    """Fit an unrolled model on windows X (m, Tx, n_values) and targets Y (Tx, m, n_values); returns the History.

    The loss is the sum over the Tx outputs of the cross-entropy (nats); divide by Tx for nats per symbol.
    """
    keras.utils.set_random_seed(seed)
    Tx, n_a = X.shape[1], model.inputs[1].shape[-1]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=5.0),
                  loss=["categorical_crossentropy"] * Tx)
    zeros = np.zeros((X.shape[0], n_a), dtype=np.float32)
    return model.fit([X, zeros, zeros], list(Y), epochs=epochs, batch_size=batch_size, shuffle=True,
                     verbose=verbose, callbacks=list(callbacks))


def symbol_loss(model, X, Y):
    """The model's mean cross-entropy per symbol on (X, Y), in nats."""
    zeros = np.zeros((X.shape[0], model.inputs[1].shape[-1]), dtype=np.float32)
    predictions = np.stack(model.predict([X, zeros, zeros], batch_size=256, verbose=0))  # (Tx, m, n_values)
    return float(-np.mean(np.log(np.maximum(np.sum(predictions * Y, axis=-1), 1e-12))))


# --- shipped weights --------------------------------------------------------------------------

def _step_model(LSTM_cell, densor):
    """One step of the shared layers as a model: [x (1, n_values), a, c] -> [probabilities, a, c]."""
    n_values, n_a = densor.units, LSTM_cell.units
    x, a, c = keras.Input(shape=(1, n_values)), keras.Input(shape=(n_a,)), keras.Input(shape=(n_a,))
    a_next, _, c_next = LSTM_cell(x, initial_state=[a, c])
    return keras.Model([x, a, c], [densor(a_next), a_next, c_next])


def save_weights(LSTM_cell, densor, vocabulary, info=None, weights_file=WEIGHTS_FILE, info_file=INFO_FILE):
    """Write the shared layers' weights (.weights.h5) and a JSON record of the vocabulary and training facts,
    both or neither (utils.model_files)."""
    record = {"format": FORMAT, "n_a": LSTM_cell.units, "vocabulary": list(vocabulary), **(info or {})}
    save_weights_and_record(_step_model(LSTM_cell, densor), weights_file, record, info_file)


def read_info(info_file=INFO_FILE):
    """The JSON record written with the shipped weights; errors name the file."""
    return read_record(info_file, FORMAT, "jazz model", valid=lambda info: isinstance(info["vocabulary"], list))


def load_weights(LSTM_cell, densor, vocabulary, weights_file=WEIGHTS_FILE, info_file=INFO_FILE):
    """Load the shipped weights into the shared layers; returns the JSON record.

    The vocabulary must be the one the weights were trained with (ValueError otherwise); a missing or
    unreadable file gives an error naming it.
    """
    weights_file = Path(weights_file)
    info = read_info(info_file)
    if info["vocabulary"] != list(vocabulary):
        raise ValueError(f"{shown_path(info_file)} was trained on another vocabulary ({len(info['vocabulary'])} symbols, "
                         f"here {len(vocabulary)}): the data changed, so run `make models` again")
    if info["n_a"] != LSTM_cell.units:
        raise ValueError(f"{shown_path(weights_file)} holds an LSTM of {info['n_a']} units, "
                         f"this LSTM_cell has {LSTM_cell.units}")
    if not weights_file.is_file():
        raise FileNotFoundError(f"missing {shown_path(weights_file)}: run `make models` to train the jazz model")
    try:
        _step_model(LSTM_cell, densor).load_weights(weights_file)
    except Exception as error:
        raise ValueError(f"{shown_path(weights_file)} is not a readable weights file for this model "
                         f"({type(error).__name__}: {error})") from None
    return info


# --- sampling ---------------------------------------------------------------------------------

def sample_with_temperature(probabilities, temperature=1.0, rng=None):
    """An index drawn from `probabilities` sharpened (temperature < 1) or flattened (> 1); 0 means argmax.

    The probabilities are raised to the power 1 / temperature and renormalised, which is a softmax of
    log(p) / temperature. `rng` is a numpy Generator (a fresh, unseeded one if None).
    """
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise ValueError("probabilities must be a non-empty 1-D array of non-negative numbers with a positive sum")
    if not temperature >= 0:
        raise ValueError(f"the temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return int(np.argmax(p))
    logits = np.log(np.maximum(p, 1e-300)) / temperature
    q = np.exp(logits - logits.max())
    rng = np.random.default_rng() if rng is None else rng
    return int(rng.choice(p.size, p=q / q.sum()))


def sample_indices(LSTM_cell, densor, Ty=100, temperature=1.0, seed=0, n=1, sample=None):
    """(n, Ty) symbol indices generated by the shared layers, each step's choice fed back as the next input.

    Starts from zero input and state, like the training windows. `sample(probabilities, temperature, rng)`
    picks each index (default: sample_with_temperature); one numpy Generator seeded with `seed` drives it.
    """
    sample = sample_with_temperature if sample is None else sample
    n_values, n_a = densor.units, LSTM_cell.units
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 1, n_values), dtype=np.float32)
    a, c = np.zeros((n, n_a), dtype=np.float32), np.zeros((n, n_a), dtype=np.float32)
    indices = np.zeros((n, Ty), dtype=int)
    for t in range(Ty):
        a, _, c = LSTM_cell(x, initial_state=[a, c])
        probabilities = keras.ops.convert_to_numpy(densor(a)).astype(float)
        indices[:, t] = [sample(row / row.sum(), temperature, rng) for row in probabilities]
        x = np.eye(n_values, dtype=np.float32)[indices[:, t]][:, None, :]
    return indices


# --- music ------------------------------------------------------------------------------------

@dataclass
class Solo:
    """What generate_music made: symbols, cleaned notes, the chords, the files written and the audio."""
    symbols: list
    notes: list
    chords: tuple
    midi_path: Path
    wav_path: Path
    audio: np.ndarray
    sample_rate: int
    tempo: float

    @property
    def seconds(self):
        return self.audio.size / self.sample_rate

    def __repr__(self):
        return (f"Solo({len(self.notes)} notes over {len(self.chords)} chords, {self.seconds:.1f} s of audio, "
                f"files {self.midi_path.name} and {self.wav_path.name})")


def solo_from_symbols(symbols, progression, seed=0):
    """Cleaned notes of `symbols` played over a progression (chords, or text for parse_progression)."""
    chords = mu.parse_progression(progression) if isinstance(progression, str) else tuple(progression)
    length = max(c.end for c in chords)
    notes = mu.symbols_to_notes(symbols, chords, rng=np.random.default_rng(seed), length=length)
    return mu.clean_up(notes, length=length), chords


def generate_music(LSTM_cell, densor, indices_values, progression=mu.BLUES_IN_F, temperature=0.8, seed=0, Ty=100,
                   tempo=140, out_dir="output", name="jazz_solo", sample=None, sample_rate=SAMPLE_RATE, swing=2 / 3):
    """Improvise a solo over a chord progression; write it as MIDI and WAV under `out_dir`; return a Solo.

    The LSTM writes Ty symbols (sampled at `temperature`, seeded), the grammar turns them into notes over
    the progression (text such as utils.music_utils.BLUES_IN_F, or Chords), clean_up tidies them, and the
    solo with its chords is written to out_dir/name.mid and rendered to out_dir/name.wav, its eighth notes
    swung (`swing`, see utils.music_synth.swung; the MIDI file keeps them straight, as written). Only these
    two files are written (out_dir is created if needed).
    """
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"name must be a plain file name without folders, got {name!r}")
    indices = sample_indices(LSTM_cell, densor, Ty=Ty, temperature=temperature, seed=seed, sample=sample)[0]
    symbols = [indices_values[int(i)] for i in indices]
    notes, chords = solo_from_symbols(symbols, progression, seed=seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    midi_path = mu.write_midi(notes, chords, out_dir / f"{name}.mid", tempo=tempo)
    audio = synthesize(notes, chords, tempo=tempo, sample_rate=sample_rate, swing=swing)
    wav_path = write_wav(out_dir / f"{name}.wav", audio, sample_rate)
    return Solo(symbols, notes, chords, midi_path, wav_path, audio, sample_rate, tempo)


# --- command line -----------------------------------------------------------------------------

def train_from_scratch(epochs=TRAINING["epochs"], seed=TRAINING["seed"], verbose=2):
    """Build the data and a fresh model, train it; returns (LSTM_cell, densor, vocabulary, info)."""
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    X, Y, n_values, indices_values, _ = mu.load_music_data()
    keras.utils.set_random_seed(seed)
    LSTM_cell, densor, reshaper = shared_layers(n_values)
    model = unrolled_model(X.shape[1], LSTM_cell, densor, reshaper)
    history = train(model, X, Y, epochs=epochs, seed=seed, verbose=verbose)
    vocabulary = [indices_values[i] for i in range(n_values)]
    loss = symbol_loss(model, X, Y)
    info = {"Tx": int(X.shape[1]), "windows": int(X.shape[0]), "training": {**TRAINING, "epochs": epochs},
            "final_epoch_loss": round(float(history.history["loss"][-1]), 4),
            "loss_per_symbol_nats": round(loss, 4), "keras": keras.__version__}
    return LSTM_cell, densor, vocabulary, info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["train", "evaluate"])
    parser.add_argument("--epochs", type=int, default=TRAINING["epochs"])
    args = parser.parse_args(argv)
    if args.command == "train":
        LSTM_cell, densor, vocabulary, info = train_from_scratch(epochs=args.epochs)
        save_weights(LSTM_cell, densor, vocabulary, info)
        print(f"wrote {WEIGHTS_FILE.relative_to(ROOT)} and {INFO_FILE.relative_to(ROOT)}: "
              f"loss {info['loss_per_symbol_nats']:.4f} nats per symbol on {info['windows']} windows")
    else:
        X, Y, n_values, indices_values, _ = mu.load_music_data()
        LSTM_cell, densor, reshaper = shared_layers(n_values)
        model = unrolled_model(X.shape[1], LSTM_cell, densor, reshaper)
        load_weights(LSTM_cell, densor, [indices_values[i] for i in range(n_values)])
        print(f"shipped weights: {symbol_loss(model, X, Y):.4f} nats per symbol on {X.shape[0]} windows "
              f"(uniform guessing: {np.log(n_values):.4f})")


if __name__ == "__main__":
    sys.exit(main())
