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
