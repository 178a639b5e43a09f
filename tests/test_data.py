"""Checks of the files in data/: the dinosaur name list and the checksums in the data card."""
import hashlib
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
CARD = DATA / "README.md"
DINOS = DATA / "dinos.txt"


def card_rows():
    """(first cell, whole row) for each table row of data/README.md."""
    for line in CARD.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("|"):
            yield line.strip().strip("|").split("|")[0], line


def card_checksums():
    """{`name` on a row: set of 64-hex checksums on that row}, e.g. | `dinos.txt` | ... | 1e28...75 |."""
    checksums = {}
    for _, row in card_rows():
        sums = {s.lower() for s in re.findall(r"\b[0-9a-fA-F]{64}\b", row)}
        for name in re.findall(r"`([^`]+)`", row):
            checksums.setdefault(name, set()).update(sums)
    return checksums


def data_files():
    """Every file under data/ except the card itself and hidden files, as paths relative to data/."""
    return sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*")
                  if p.is_file() and p != CARD and not any(part.startswith(".") for part in p.relative_to(DATA).parts))


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- dinos.txt ------------------------------------------------------------------------------

def dino_lines():
    assert DINOS.exists(), f"missing {DINOS}"
    return DINOS.read_text(encoding="ascii").splitlines()


def test_dinos_has_at_least_1000_names():
    assert len(dino_lines()) >= 1000


def test_dinos_names_are_lowercase_ascii_letters():
    bad = [name for name in dino_lines() if not re.fullmatch(r"[a-z]+", name)]
    assert not bad, f"names with characters other than a-z (or empty lines): {bad[:10]}"


def test_dinos_has_no_duplicates_and_is_sorted():
    names = dino_lines()
    assert len(names) == len(set(names)), "duplicate names"
    assert names == sorted(names), "names are not sorted"


def test_dinos_ends_with_a_newline():
    assert DINOS.read_bytes().endswith(b"\n")


@pytest.mark.parametrize("genus", ["tyrannosaurus", "triceratops", "stegosaurus", "velociraptor", "brachiosaurus",
                                   "iguanodon", "ankylosaurus", "diplodocus", "allosaurus", "parasaurolophus"])
def test_dinos_has_famous_genera(genus):
    assert genus in dino_lines()


# --- data card -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", data_files())
def test_data_file_is_in_the_card_with_a_matching_checksum(name):
    listed = card_checksums()
    assert listed.get(name), f"data/{name} has no row with `{name}` and its SHA-256 in data/README.md"
    assert sha256(DATA / name) in listed[name], f"data/{name} does not match the SHA-256 in data/README.md"


def test_every_file_with_a_checksum_in_the_card_exists():
    listed = [name for first_cell, row in card_rows() if re.search(r"\b[0-9a-fA-F]{64}\b", row)
              for name in re.findall(r"`([^`]+)`", first_cell)]
    missing = [name for name in listed if not (DATA / name).is_file()]
    assert not missing, f"listed in data/README.md with a checksum but not in data/: {missing}"


# --- emojify_train.csv / emojify_test.csv ----------------------------------------------------

import csv  # noqa: E402  (kept with the Emojify tests that use it)
from collections import Counter  # noqa: E402

EMOJIFY = {"train": DATA / "emojify_train.csv", "test": DATA / "emojify_test.csv"}
EMOJIFY_MIN_ROWS = {"train": 300, "test": 120}


def emojify_rows(split):
    """[(sentence, label)] of data/emojify_<split>.csv, read with csv.DictReader."""
    path = EMOJIFY[split]
    assert path.exists(), f"missing {path}"
    with open(path, newline="", encoding="ascii") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["sentence", "label"], f"{path.name}: header is {reader.fieldnames}"
        rows = list(reader)
    bad = [row for row in rows if None in row or not row["sentence"] or not re.fullmatch(r"[0-9]+", row["label"] or "")]
    assert not bad, f"{path.name}: malformed rows {bad[:5]}"
    return [(row["sentence"], int(row["label"])) for row in rows]


def emojify_words(sentence):
    """Lowercased words with punctuation stripped, as the notebook compares them."""
    return re.sub(r"[^\w\s]", "", sentence.lower()).split()


@pytest.mark.parametrize("split", ["train", "test"])
def test_emojify_has_enough_rows_with_labels_0_to_4(split):
    rows = emojify_rows(split)
    assert len(rows) >= EMOJIFY_MIN_ROWS[split]
    assert {label for _, label in rows} <= set(range(5))


@pytest.mark.parametrize("split", ["train", "test"])
def test_emojify_classes_are_balanced(split):
    rows = emojify_rows(split)
    counts = Counter(label for _, label in rows)
    shares = {label: counts[label] / len(rows) for label in range(5)}
    off = {label: share for label, share in shares.items() if not 0.15 <= share <= 0.25}
    assert not off, f"{split}: classes outside 15-25% of the file: {off}"


def test_emojify_has_no_duplicate_sentences_within_or_across_files():
    seen = Counter(" ".join(emojify_words(sentence)) for split in EMOJIFY for sentence, _ in emojify_rows(split))
    duplicates = [sentence for sentence, n in seen.items() if n > 1]
    assert not duplicates, f"sentences that appear more than once: {duplicates[:10]}"


def test_emojify_test_uses_words_unseen_in_training():
    train_words = {word for sentence, _ in emojify_rows("train") for word in emojify_words(sentence)}
    test = emojify_rows("test")
    unseen = [sentence for sentence, _ in test if set(emojify_words(sentence)) - train_words]
    assert len(unseen) >= len(test) / 4, f"only {len(unseen)} of {len(test)} test sentences have an unseen word"


def test_emojify_training_shares_no_four_word_run_with_a_test_sentence():
    def runs(sentence):
        words = emojify_words(sentence)
        return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}
    test_runs = set().union(*(runs(sentence) for sentence, _ in emojify_rows("test")))
    leaks = [sentence for sentence, _ in emojify_rows("train") if runs(sentence) & test_runs]
    assert not leaks, f"training sentences sharing four consecutive words with a test sentence: {leaks[:5]}"
