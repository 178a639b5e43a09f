"""Helpers for W2A2 Emojify: the sentence data, tokenising, word-held-out validation splits, emoji labels and plots."""
import csv
import re
import warnings
from pathlib import Path

import numpy as np

from utils import ROOT

TRAIN_CSV = ROOT / "data" / "emojify_train.csv"
TEST_CSV = ROOT / "data" / "emojify_test.csv"
EMOJIS = {0: "\u2764\ufe0f", 1: "\u26be", 2: "\U0001f604", 3: "\U0001f61e", 4: "\U0001f374"}
CLASS_NAMES = {0: "love", 1: "sport", 2: "happy", 3: "sad", 4: "food"}
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def read_csv(path):
    """(X, Y): the sentences and their integer labels from a `sentence,label` CSV file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found")
    with open(path, newline="", encoding="utf-8") as rows:
        reader = csv.DictReader(rows)
        if reader.fieldnames != ["sentence", "label"]:
            raise ValueError(f"{path} should have the header 'sentence,label', found {reader.fieldnames}")
        pairs = [(row["sentence"], int(row["label"])) for row in reader]
    return np.array([s for s, _ in pairs]), np.array([y for _, y in pairs])


def label_to_emoji(label):
    """The emoji of a class index (0 love, 1 sport, 2 happy, 3 sad, 4 food)."""
    return EMOJIS[int(label)]


def convert_to_one_hot(Y, C):
    """(m,) integer labels -> (m, C) one-hot rows."""
    return np.eye(C)[np.asarray(Y).reshape(-1)]


def tokenize(sentence):
    """Lower-cased words of a sentence; punctuation is dropped ("Don't stop!" -> ["don't", "stop"])."""
    return WORD.findall(str(sentence).lower())


def known_words(sentence, vocabulary):
    """The sentence's words that are in `vocabulary`, warning (visibly) about any that are skipped.

    Raises ValueError if the sentence is empty or none of its words is known.
    """
    words = tokenize(sentence)
    if not words:
        raise ValueError(f"the sentence {sentence!r} has no words")
    known = [w for w in words if w in vocabulary]
    unknown = [w for w in words if w not in vocabulary]
    if not known:
        raise ValueError(f"none of the words of {sentence!r} is in the vocabulary: {unknown}")
    if unknown:
        # Attributed to this function, not to the caller's file: a notebook cell's file is a temporary path.
        warnings.warn_explicit(f"skipping unknown word(s) {unknown} in {sentence!r}", UserWarning,
                               "emo_utils.known_words", 0)
    return known


def held_out_word_split(X, Y, rare_from_rank, word_rank, share=0.2, seed=0):
    """(train, validation, held_out_words): a validation split whose sentences all use a word training never does.

    Like the test set, so that choices made on it reward generalising to unseen words. Words of frequency rank
    `rare_from_rank` or more (by `word_rank`, e.g. GloVe's row order) are held out in a random order until at
    least `share` of the sentences contain one; those sentences form the validation split.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    words = [set(tokenize(s)) for s in X]
    candidates = sorted({w for ws in words for w in ws if word_rank.get(w, 0) >= rare_from_rank})
    held_out, in_validation = set(), np.zeros(len(X), dtype=bool)
    for word in np.random.default_rng(seed).permutation(candidates):
        held_out.add(str(word))
        in_validation |= np.array([str(word) in ws for ws in words])
        if in_validation.mean() >= share:
            break
    return (X[~in_validation], Y[~in_validation]), (X[in_validation], Y[in_validation]), held_out


def print_predictions(X, pred):
    """Print each sentence with its predicted emoji."""
    for sentence, label in zip(X, np.asarray(pred).reshape(-1)):
        print(f"{label_to_emoji(label)}  {sentence}")


def plot_confusion_matrix(y_true, y_pred, ax=None, title="Confusion matrix"):
    """A 5x5 confusion matrix (rows: true class, columns: predicted class) with counts in the cells."""
    import matplotlib.pyplot as plt
    counts = np.zeros((len(CLASS_NAMES), len(CLASS_NAMES)), dtype=int)
    np.add.at(counts, (np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)), 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    ax.imshow(counts, cmap="Blues")
    labels = [f"{CLASS_NAMES[i]}" for i in range(len(CLASS_NAMES))]
    ax.set_xticks(range(len(labels)), labels, rotation=45)
    ax.set_yticks(range(len(labels)), labels)
    for (i, j), n in np.ndenumerate(counts):
        ax.text(j, i, n, ha="center", va="center", color="white" if n > counts.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return counts
