"""Data for W3A1, date translation: human-readable dates paired with ISO dates, vocabularies and encodings.

Dates are drawn by Faker between 1950 and 2049 (so a two-digit year names exactly one year) and written in
Babel's English date formats plus a few spoken styles ("the 3rd of march 2001"). Numbers with slashes are
always month first (3/25/96) and numbers with dots day first (25.03.96), so no input has two readings. Every generator takes a
seed and keeps its own random state.
"""
import random
import string
import warnings
from datetime import date

import numpy as np

FIRST_DATE, LAST_DATE = date(1950, 1, 1), date(2049, 12, 31)
# Babel patterns (https://babel.pocoo.org date format syntax) and Babel's named formats.
BABEL_FORMATS = ["short", "medium", "long", "full", "d MMM y", "d MMMM y", "dd MMM y", "d MMM, y", "d MMMM, y",
                 "dd, MMM y", "MMMM d y", "MMMM d, y", "EEE d MMM y", "EEEE d MMMM y", "dd.MM.yy", "M/d/y",
                 "MMM d yy"]
SPOKEN_FORMATS = ["{ordinal} of {month}, {year}", "the {ordinal} of {month} {year}", "{month} {ordinal}, {year}",
                  "{weekday} {ordinal} {month} {year}"]
HUMAN_CHARS = sorted(set(string.ascii_lowercase + string.digits + " ,./-'"))
MACHINE_CHARS = sorted(set(string.digits + "-"))
UNK, PAD = "<unk>", "<pad>"


def ordinal(day):
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def human_readable(day, rng):
    """`day` written in a randomly chosen English style, lower-cased."""
    from babel.dates import format_date
    style = rng.randrange(len(BABEL_FORMATS) + len(SPOKEN_FORMATS))
    if style < len(BABEL_FORMATS):
        text = format_date(day, format=BABEL_FORMATS[style], locale="en_US")
    else:
        text = SPOKEN_FORMATS[style - len(BABEL_FORMATS)].format(
            ordinal=ordinal(day.day), month=format_date(day, "MMMM", locale="en_US"), year=day.year,
            weekday=format_date(day, "EEEE", locale="en_US"))
    return text.lower()


def load_date(faker, rng):
    """One (human-readable date, ISO date) pair."""
    day = faker.date_between_dates(FIRST_DATE, LAST_DATE)
    return human_readable(day, rng), day.isoformat()


def load_dataset(m, seed=0):
    """m (human, machine) pairs and the vocabularies: (dataset, human_vocab, machine_vocab, inv_machine_vocab).

    The vocabularies are fixed (not read off the data), so data made with any seed shares them.
    """
    from faker import Faker
    faker = Faker()
    faker.seed_instance(seed)
    rng = random.Random(seed)
    dataset = [load_date(faker, rng) for _ in range(m)]
    human_vocab = {c: i for i, c in enumerate(HUMAN_CHARS + [UNK, PAD])}
    machine_vocab = {c: i for i, c in enumerate(MACHINE_CHARS)}
    inv_machine_vocab = {i: c for c, i in machine_vocab.items()}
    return dataset, human_vocab, machine_vocab, inv_machine_vocab


def string_to_int(string, length, vocab):
    """Indices of the characters of `string` (lower-cased), padded with <pad> to `length`.

    Characters outside the vocabulary become <unk>; a string longer than `length` is cut, with a warning.
    """
    string = string.lower()
    if len(string) > length:
        warnings.warn(f"{string!r} is longer than {length} characters; only the first {length} are used",
                      stacklevel=2)
        string = string[:length]
    unknown = vocab.get(UNK)
    rep = [vocab.get(ch, unknown) for ch in string]
    if None in rep:
        raise ValueError(f"{string!r} has characters outside the vocabulary, which has no {UNK} symbol")
    return rep + [vocab[PAD]] * (length - len(rep)) if PAD in vocab else rep


def int_to_string(ints, inv_vocab):
    """The symbols of a list of indices."""
    return [inv_vocab[int(i)] for i in ints]


def one_hot(indices, size):
    """(..., size) one-hot array of an integer array."""
    return np.eye(size, dtype=np.float32)[np.asarray(indices)]


def preprocess_data(dataset, human_vocab, machine_vocab, Tx, Ty):
    """(X, Y, Xoh, Yoh): index arrays (m, Tx), (m, Ty) and their one-hot versions."""
    humans, machines = zip(*dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # generated dates fit in Tx; callers with real input see warnings
        X = np.array([string_to_int(h, Tx, human_vocab) for h in humans])
    Y = np.array([string_to_int(t, Ty, machine_vocab) for t in machines])
    return X, Y, one_hot(X, len(human_vocab)), one_hot(Y, len(machine_vocab))


def exact_match(predictions, targets):
    """Share of predicted strings equal to their targets."""
    return float(np.mean([p == t for p, t in zip(predictions, targets)]))
