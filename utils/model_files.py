"""Shipped model files: paths shown relative to the repository, and weights saved with their JSON record atomically."""
import json
import os
from pathlib import Path

from utils import ROOT



def shown_path(path):
    """`path` relative to the repository root when it lies inside it (for messages), otherwise as given."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def save_weights_and_record(model, weights_file, record, record_file):
    """Save `model`'s weights and the JSON `record` under hidden temporary names, then rename both.

    A run that fails half-way leaves the previous files untouched (the data card's checks skip hidden names).
    """
    weights_file, record_file = Path(weights_file), Path(record_file)
    temporary = [path.with_name(f".tmp-{os.getpid()}-{path.name}") for path in (weights_file, record_file)]
    try:
        model.save_weights(temporary[0])
        temporary[1].write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary[0], weights_file)
        os.replace(temporary[1], record_file)
    finally:
        for path in temporary:
            path.unlink(missing_ok=True)


def load_weights_checked(model, weights_file, rebuild):
    """`model.load_weights(weights_file)`, or a ValueError naming the file, the cause and `rebuild` (how to fix it)."""
    try:
        model.load_weights(weights_file)
    except Exception as error:  # h5py and Keras raise many kinds for a damaged file
        first_line = (str(error).strip().splitlines() or [""])[0]
        raise ValueError(f"{shown_path(weights_file)} could not be loaded ({type(error).__name__}: {first_line}): "
                         f"{rebuild}") from None


def read_record(record_file, fmt, model_name, valid=lambda record: True):
    """The JSON record saved beside a model's weights, if its "format" is `fmt` and `valid(record)` holds.

    Errors name the file and say to run `make models` (FileNotFoundError if it is missing, ValueError otherwise).
    """
    record_file = Path(record_file)
    if not record_file.is_file():
        raise FileNotFoundError(f"missing {shown_path(record_file)}: run `make models` to train the {model_name}")
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        if record["format"] != fmt or not valid(record):
            raise ValueError("unknown format")
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{shown_path(record_file)} is not a {model_name} record ({error}): run `make models`") from None
    return record
