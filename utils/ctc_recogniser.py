"""The CTC lab's speech recogniser: features of the synthetic utterances, training, shipped weights.

    python -m utils.ctc_recogniser train      # `make models`: synthesizes the data, trains, writes data/ctc_recogniser.*
    python -m utils.ctc_recogniser evaluate   # greedy CER/WER of the shipped weights on the held-out splits

The model is the notebook's graded `asr_model` (log-mel frames -> Conv1D subsampling by 2 -> two bidirectional
GRUs -> logits over blank + 28 characters), trained with Keras' CTC loss on the notebook's own
`log_mel_features`, with frequency masks (`mask_bands`) on top of the data's vocal tract length perturbation;
errors are counted with the notebook's `ctc_collapse` and `edit_distance`. Data:
`utils.asr_data.make_utterances` (deterministic), features cached as float16 under cache/ (git-ignored).
"""
import argparse
import json
import math
import sys
import time

import keras
import numpy as np

from utils import ROOT
from utils import asr_data
from utils.model_files import load_weights_checked, read_record, save_weights_and_record, shown_path

NOTEBOOK = ROOT / "Week-3" / "W3_Lab_Speech_Recognition_with_CTC" / "Speech_Recognition_with_CTC.ipynb"
WEIGHTS_FILE = ROOT / "data" / "ctc_recogniser.weights.h5"
INFO_FILE = ROOT / "data" / "ctc_recogniser.json"
CACHE_DIR = ROOT / "cache" / "asr"
# At most `max_epochs` passes, and no new epoch once `budget_minutes` are spent (the record says how many ran).
TRAINING = {"n_train": 6000, "n_val": 300, "max_epochs": 40, "budget_minutes": 50, "batch_size": 32,
            "learning_rate": 2e-3, "seed": 0}
EVALUATION = {"n_test": 300, "n_long": 100}
MAX_MASKED_BANDS = 6             # training's frequency masks hide up to this many of the 40 bands
SILENCE = float(np.log(1e-6))   # the log-mel value of digital silence: what padded frames hold
FORMAT = 1


def notebook_functions():
    """The notebook's graded functions the recogniser is built and scored with (loaded once)."""
    global _NOTEBOOK
    if _NOTEBOOK is None:
        from utils.notebook_tools import load_definitions
        _NOTEBOOK = load_definitions(NOTEBOOK)
    return _NOTEBOOK


_NOTEBOOK = None


def features(audios, log_mel_features):
    """Log-mel features (frames, 40) of every utterance, float32."""
    return [np.asarray(log_mel_features(a), dtype=np.float32) for a in audios]


def cached_split(split, n, log_mel_features, long=False, progress=True):
    """(features list, transcripts) of `n` utterances of a split, stored once under cache/ as float16."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"{split}{'_long' if long else ''}_n{n}_v{asr_data.DATASET_VERSION}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as stored:
            frames, lengths, texts = stored["frames"], stored["lengths"], list(stored["texts"])
        if len(texts) == n:
            return np.split(frames.astype(np.float32), np.cumsum(lengths)[:-1]), texts
    audios, texts, _ = asr_data.make_utterances(n, split, long=long, progress=progress)
    feats = features(audios, log_mel_features)
    np.savez(path, frames=np.concatenate(feats).astype(np.float16), lengths=[len(f) for f in feats],
             texts=np.array(texts))
    return feats, texts


def pad_batch(feats, texts=None):
    """Features padded with silence to the longest: (batch, frames, 40); with texts, ids padded with 0 too."""
    x = np.full((len(feats), max(len(f) for f in feats), feats[0].shape[1]), SILENCE, np.float32)
    for i, f in enumerate(feats):
        x[i, :len(f)] = f
    if texts is None:
        return x
    labels = [asr_data.text_to_ids(t) for t in texts]
    y = np.zeros((len(labels), max(len(l) for l in labels)), np.int32)
    for i, l in enumerate(labels):
        y[i, :len(l)] = l
    return x, y


def mask_bands(feats, rng, max_width=MAX_MASKED_BANDS):
    """A copy of `feats` (frames, bands) with 0 to `max_width` adjacent bands set to the utterance's mean
    (SpecAugment's frequency masking: the model cannot rely on any one band, e.g. one formant)."""
    width = rng.randint(max_width + 1)
    start = rng.randint(feats.shape[1] - width + 1)
    masked = feats.copy()
    masked[:, start:start + width] = feats.mean()
    return masked


class Batches(keras.utils.PyDataset):
    """Minibatches of utterances of similar length (less padding), in a shuffled, seeded order; with
    `augment`, each utterance gets a fresh frequency mask every time it is drawn."""

    def __init__(self, feats, texts, batch_size, seed, augment=False):
        super().__init__(workers=1, use_multiprocessing=False, max_queue_size=2)
        by_length = np.argsort([len(f) for f in feats], kind="stable")
        self.batches = [by_length[i:i + batch_size] for i in range(0, len(feats), batch_size)]
        self.feats, self.texts, self.augment = feats, texts, augment
        self.rng = np.random.RandomState(seed)
        self.order = self.rng.permutation(len(self.batches))

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, i):
        index = self.batches[self.order[i]]
        feats = [self.feats[j] for j in index]
        if self.augment:
            feats = [mask_bands(f, self.rng) for f in feats]
        return pad_batch(feats, [self.texts[j] for j in index])

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.batches))


def log_posteriors(model, feats, batch_size=64):
    """Per-frame log-probabilities (ceil(frames / 2), 29) of every utterance, its padding frames cut off.

    Utterances go through the model in batches of similar length; the results come back in the given order."""
    order = np.argsort([len(f) for f in feats], kind="stable")
    results = [None] * len(feats)
    for i in range(0, len(feats), batch_size):
        index = order[i:i + batch_size]
        logits = np.asarray(model(pad_batch([feats[j] for j in index]), training=False), dtype=np.float64)
        log_probs = logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)
        for k, j in enumerate(index):
            results[j] = log_probs[k, :math.ceil(len(feats[j]) / 2)]
    return results


def greedy_transcripts(model, feats, ctc_collapse):
    """Best path decoding: the most probable symbol per frame, collapsed by `ctc_collapse`, as text."""
    return [asr_data.ids_to_text(ctc_collapse(np.argmax(lp, axis=-1))) for lp in log_posteriors(model, feats)]


def error_rates(references, hypotheses, edit_distance):
    """(CER, WER): total character / word edits over the total reference length, over the whole set."""
    chars = sum(edit_distance(r, h) for r, h in zip(references, hypotheses)) / sum(len(r) for r in references)
    words = (sum(edit_distance(r.split(), h.split()) for r, h in zip(references, hypotheses))
             / sum(len(r.split()) for r in references))
    return chars, words


def build(asr_model, train_feats=None):
    """`asr_model()` (the notebook's builder), its input normalisation adapted to the training frames when given."""
    model = asr_model()
    if train_feats is not None:
        model.get_layer("normalise").adapt(np.concatenate(train_feats[:2000])[np.newaxis])
    return model


def compile_model(model, learning_rate=TRAINING["learning_rate"]):
    """Adam (gradients clipped to norm 1) on Keras' CTC loss (blank = id 0, labels padded with 0)."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=1.0),
                  loss=keras.losses.CTC())
    return model


class Scores(keras.callbacks.Callback):
    """After each epoch: greedy CER/WER on the validation set; stops once the time budget is spent."""

    def __init__(self, feats, texts, functions, budget_s, log):
        super().__init__()
        self.feats, self.texts, self.functions, self.budget_s, self.log = feats, texts, functions, budget_s, log
        self.start = time.time()

    def on_epoch_end(self, epoch, logs=None):
        hyps = greedy_transcripts(self.model, self.feats, self.functions.ctc_collapse)
        cer, wer = error_rates(self.texts, hyps, self.functions.edit_distance)
        self.log.append({"epoch": epoch + 1, "loss": round(float(logs["loss"]), 4), "val_cer": round(cer, 4),
                         "val_wer": round(wer, 4), "minutes": round((time.time() - self.start) / 60, 1)})
        print(f"epoch {epoch + 1}: loss {logs['loss']:.3f}, val CER {cer:.3f}, WER {wer:.3f}", flush=True)
        if time.time() - self.start > self.budget_s:
            self.model.stop_training = True


def train(functions=None, training=TRAINING):
    """Synthesize (or reuse) the data, train the notebook's model with CTC, save weights and a record."""
    functions = functions or notebook_functions()
    keras.utils.set_random_seed(training["seed"])
    start = time.time()
    train_feats, train_texts = cached_split("train", training["n_train"], functions.log_mel_features)
    val_feats, val_texts = cached_split("val", training["n_val"], functions.log_mel_features)
    data_s = time.time() - start
    model = compile_model(build(functions.asr_model, train_feats), training["learning_rate"])
    log = []
    start = time.time()
    model.fit(Batches(train_feats, train_texts, training["batch_size"], training["seed"], augment=True),
              epochs=training["max_epochs"], verbose=2,
              callbacks=[Scores(val_feats, val_texts, functions, 60 * training["budget_minutes"], log),
                         keras.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=2, verbose=1)])
    record = {"format": FORMAT, "model": "notebook's asr_model() with its default sizes",
              "parameters": model.count_params(),
              "data": {"n_train": training["n_train"], "n_val": training["n_val"],
                       "dataset_version": asr_data.DATASET_VERSION, "synthesis_and_features_s": round(data_s)},
              "training": {**training, "epochs_run": len(log), "seconds": round(time.time() - start), "log": log}}
    record["evaluation"] = evaluate(model, functions)
    shipped = build(functions.asr_model)   # uncompiled: the weights file holds no optimizer state
    shipped(np.zeros((1, 10, 40), np.float32))
    shipped.set_weights(model.get_weights())
    save_weights_and_record(shipped, WEIGHTS_FILE, record, INFO_FILE)
    print(f"saved {shown_path(WEIGHTS_FILE)} and {shown_path(INFO_FILE)}")
    return model, record


def evaluate(model, functions=None):
    """Greedy CER and WER on the held-out voices ("test"), of training lengths and longer."""
    functions = functions or notebook_functions()
    scores = {}
    for name, long, n in (("test", False, EVALUATION["n_test"]), ("test_long", True, EVALUATION["n_long"])):
        feats, texts = cached_split("test", n, functions.log_mel_features, long=long)
        cer, wer = error_rates(texts, greedy_transcripts(model, feats, functions.ctc_collapse),
                               functions.edit_distance)
        scores[name] = {"n": n, "greedy_cer": round(cer, 4), "greedy_wer": round(wer, 4)}
        print(f"{name}: greedy CER {cer:.3f}, WER {wer:.3f} ({n} utterances)")
    return scores


def load_shipped_model(asr_model=None):
    """The notebook's model (or `asr_model()`) with the shipped weights (data/ctc_recogniser.weights.h5)."""
    model = build(asr_model or notebook_functions().asr_model)
    model(np.zeros((1, 10, 40), np.float32))
    load_weights_checked(model, WEIGHTS_FILE, "run `make models` (or: python -m utils.ctc_recogniser train)")
    return model


def shipped_record():
    """The JSON record written with the shipped weights."""
    return read_record(INFO_FILE, FORMAT, "the CTC recogniser")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("train", "evaluate"))
    args = parser.parse_args(argv)
    if args.command == "train":
        train()
    else:
        print(json.dumps(evaluate(load_shipped_model()), indent=1))


if __name__ == "__main__":
    sys.exit(main())
