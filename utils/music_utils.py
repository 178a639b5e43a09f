"""Lead sheets -> grammar symbols -> training data, and symbols -> notes again (W1A3, jazz improvisation).

The training music is the set of lead sheets (a melody with chord symbols) in music21's bundled corpus.
Each note of a melody becomes a *grammar symbol* in the spirit of Keller and Morrison's jazz grammars:

    role:duration:interval      for example  C:1/2:+1..+2   or   R:1 (a rest)

- role: what the note is against the chord that sounds when it starts (ROLES): a chord tone (C), a colour
  tone (L, a tension that sounds good with the chord, such as its 9th), another tone of the chord's scale (S),
  an approach tone a half step from a chord tone (A), any other tone (X), or a rest (R);
- duration: in quarter notes, as a fraction (1/2 is an eighth note);
- interval: the range (INTERVAL_BINS) of the step in semitones to the next note, or "end" for the last one.

A symbol says nothing about the key, so `symbols_to_notes` can run the mapping back over any chord
progression: it picks, for each symbol, a pitch with the right role against the chord of the moment and
within the interval range of the step from the note before. `clean_up` then tidies what a model wrote.

    python -m utils.music_utils find-lead-sheets    # search music21's corpus for lead sheets (a few minutes)
"""
import re
import sys
import warnings
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import numpy as np

# Corpus works with a melody and chord symbols (`find_lead_sheets` lists how they were found). The
# Nottingham file holds two tunes, so these three files give four pieces.
LEAD_SHEETS = ("leadSheet/berlinAlexandersRagtime", "leadSheet/fosterBrownHair", "nottingham-dataset/reelsa-c")
TRANSPOSITIONS = tuple(range(-5, 7))  # semitones: the twelve keys, from a fourth down to a tritone up
SOLO_RANGE = (55, 84)  # MIDI numbers G3..C6: every note is kept in this range (folded by octaves)
TX = 30  # symbols per training window

ROLES = {"C": "chord tone", "L": "colour tone", "S": "scale tone", "A": "approach tone", "X": "other tone",
         "R": "rest"}
# Steps in semitones to the next note, grouped into ranges; larger leaps fall in the outer ranges.
INTERVAL_BINS = ((-12, -6), (-5, -3), (-2, -1), (0, 0), (1, 2), (3, 5), (6, 12))
NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")

# Chord qualities: the scale a soloist uses over each, and its colour tones, in semitones above the root.
SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11),  # Ionian
    "dominant": (0, 2, 4, 5, 7, 9, 10),  # Mixolydian
    "minor": (0, 2, 3, 5, 7, 9, 10),  # Dorian
    "half-diminished": (0, 1, 3, 5, 6, 8, 10),  # Locrian
    "diminished": (0, 2, 3, 5, 6, 8, 9, 11),  # whole-half diminished
    "augmented": (0, 2, 4, 6, 8, 10),  # whole tone
    "suspended": (0, 2, 5, 7, 9, 10),  # Mixolydian without its third
}
COLOURS = {
    "major": (2, 9, 11),  # 9th, 6th (13th), major 7th
    "dominant": (2, 9),  # 9th, 13th
    "minor": (2, 5, 10),  # 9th, 11th, minor 7th
    "half-diminished": (5, 8),  # 11th, flat 13th
    "diminished": (2, 5, 8, 11),  # the tones a whole step above each chord tone
    "augmented": (2, 10),  # 9th, minor 7th
    "suspended": (2, 9),  # 9th, 13th
}

# A chord symbol in the Nottingham file that music21 misreads: the bass "f+" means F sharp.
FIGURE_FIXES = {"D/f+": "D/F#"}


# --- notes, chords and pieces ----------------------------------------------------------------

@dataclass(frozen=True)
class Note:
    """A note (pitch = MIDI number) or a rest (pitch = None); offset and duration in quarter notes."""
    offset: float
    duration: float
    pitch: int | None = None

    @property
    def end(self):
        return self.offset + self.duration


@dataclass(frozen=True)
class Chord:
    """A chord symbol that sounds from `offset` for `duration` quarter notes; tones are pitch classes 0-11."""
    figure: str
    root: int
    tones: tuple
    offset: float = 0.0
    duration: float = 4.0

    @property
    def end(self):
        return self.offset + self.duration

    @property
    def quality(self):
        return chord_quality(self.root, self.tones)


@dataclass(frozen=True)
class Piece:
    """A melody over chords. `transposition` is in semitones from the written key."""
    title: str
    source: str
    melody: tuple
    chords: tuple
    length: float
    beats_per_bar: float = 4.0
    transposition: int = 0

    @property
    def notes(self):
        """The sounding notes of the melody (rests left out)."""
        return [n for n in self.melody if n.pitch is not None]


def chord_quality(root, tones):
    """The quality of a chord ("major", "dominant", "minor", ...) from its pitch classes."""
    intervals = {(pc - root) % 12 for pc in tones}
    if 4 in intervals and 8 in intervals and 7 not in intervals:
        return "augmented"
    if 4 in intervals:
        return "dominant" if 10 in intervals else "major"
    if 3 in intervals and 6 in intervals and 7 not in intervals:
        return "diminished" if 9 in intervals and 10 not in intervals else "half-diminished"
    if 3 in intervals:
        return "minor"
    if 5 in intervals or 2 in intervals:
        return "suspended"
    return "major"  # a bare fifth or a single note: treat it as major


def _music21_figure(figure):
    """A chord figure as music21 reads it: flats written '-' (music21 reads 'Bb7' as B with a flat 7th)."""
    figure = FIGURE_FIXES.get(figure, figure)
    return re.sub(r"(^|/)([A-Ga-g])b", lambda m: m.group(1) + m.group(2).upper() + "-", figure)


def make_chord(figure, offset=0.0, duration=4.0):
    """A Chord from a chord symbol such as 'F7', 'Bbmaj7', 'Dm7b5' or 'C/E' (ValueError if unreadable)."""
    from music21 import harmony
    try:
        symbol = harmony.ChordSymbol(_music21_figure(figure))
        root, tones = symbol.root().pitchClass, tuple(sorted({p.pitchClass for p in symbol.pitches}))
    except Exception as error:
        raise ValueError(f"cannot read the chord symbol {figure!r}: {error}") from None
    if not tones:
        raise ValueError(f"the chord symbol {figure!r} has no notes")
    return Chord(figure.replace("-", "b"), root, tones, float(offset), float(duration))


def parse_progression(text, beats_per_bar=4):
    """Chords from bars separated by '|', e.g. 'F7 | Bb7 | F7 C7 |': chords in a bar share it equally."""
    chords, offset = [], 0.0
    bars = [bar.split() for bar in text.split("|") if bar.strip()]
    if not bars:
        raise ValueError("the chord progression is empty")
    for bar in bars:
        for figure in bar:
            chords.append(make_chord(figure, offset, beats_per_bar / len(bar)))
            offset += beats_per_bar / len(bar)
    return tuple(chords)


# A 12-bar blues in F, the most played form in jazz: the progression the notebook improvises over.
BLUES_IN_F = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | D7 | Gm7 | C7 | F7 | C7"


def chord_at(chords, offset):
    """The chord sounding at `offset` (the first chord for a pickup before it)."""
    current = chords[0]
    for chord in chords:
        if chord.offset <= offset + 1e-9:
            current = chord
        else:
            break
    return current


def transpose_chord(chord, semitones):
    root = (chord.root + semitones) % 12
    figure = re.sub(r"^[A-G][b#]?", NOTE_NAMES[root], chord.figure)
    bass = re.search(r"/([A-Ga-g][b#]?)$", chord.figure)
    if bass:
        from music21 import pitch
        bass_pc = (pitch.Pitch(_music21_figure(bass.group(1).upper())).pitchClass + semitones) % 12
        figure = figure[:figure.rindex("/") + 1] + NOTE_NAMES[bass_pc]
    return replace(chord, figure=figure, root=root, tones=tuple(sorted((t + semitones) % 12 for t in chord.tones)))


def fold_into_range(pitch, low=SOLO_RANGE[0], high=SOLO_RANGE[1]):
    """Move a MIDI pitch by whole octaves until it lies in [low, high]."""
    if high - low < 11:
        raise ValueError(f"the range {low}..{high} is narrower than an octave")
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch


def transpose(piece, semitones, low=SOLO_RANGE[0], high=SOLO_RANGE[1]):
    """The piece moved by `semitones`, melody and chords together; notes leaving [low, high] fold by octaves."""
    melody = tuple(n if n.pitch is None else replace(n, pitch=fold_into_range(n.pitch + semitones, low, high))
                   for n in piece.melody)
    return replace(piece, melody=melody, chords=tuple(transpose_chord(c, semitones) for c in piece.chords),
                   transposition=piece.transposition + semitones)


def excerpt(piece, bars, start_bar=0):
    """The first `bars` bars of a piece (from `start_bar`), with offsets starting at 0."""
    start, stop = start_bar * piece.beats_per_bar, (start_bar + bars) * piece.beats_per_bar
    melody = tuple(replace(n, offset=n.offset - start, duration=min(n.end, stop) - n.offset)
                   for n in piece.melody if start <= n.offset < stop)
    first = chord_at(piece.chords, start)
    chords = [c for c in piece.chords if start < c.offset < stop]
    chords = [replace(first, offset=start)] + chords
    chords = tuple(replace(c, offset=c.offset - start, duration=min(c.end, stop) - c.offset) for c in chords)
    return replace(piece, melody=melody, chords=chords, length=min(stop, piece.length) - start)


# --- reading music files ---------------------------------------------------------------------

MUSIC_SUFFIXES = (".mxl", ".xml", ".musicxml", ".abc", ".mid", ".midi", ".krn")


def _parse_file(path):
    """Parse a music file with music21, from its source (no pickled cache is read or written)."""
    from music21 import converter
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"music file not found: {path}")
    try:
        parser = converter.Converter()
        parser.parseFile(path, forceSource=True, storePickle=False)
        return parser.stream
    except Exception as error:
        raise ValueError(f"{path} is not a readable music file ({type(error).__name__}: {error})") from None


def corpus_path(source):
    """The file of a music21 corpus work ('leadSheet/fosterBrownHair'), or `source` itself if it is a file."""
    path = Path(source)
    if path.suffix.lower() in MUSIC_SUFFIXES or path.exists():
        if not path.is_file():
            raise FileNotFoundError(f"music file not found: {source}")
        return path
    from music21 import corpus
    try:
        found = corpus.getWork(str(source))
    except Exception:
        found = []
    if isinstance(found, list):
        if len(found) != 1:
            raise FileNotFoundError(f"music file not found: {source} (neither a file nor one music21 corpus work)")
        found = found[0]
    return Path(found)


def _title(score, default):
    meta = score.metadata
    title = (meta.title or meta.movementName) if meta is not None else None
    return str(title) if title else default


def _piece_from_score(score, source):
    from music21 import chord, harmony, meter, note
    parts = list(score.parts) or [score]
    flat = parts[0].stripTies().flatten()
    symbols = [s for s in flat.getElementsByClass(harmony.ChordSymbol) if not isinstance(s, harmony.NoChord)]
    by_offset = {}
    for symbol in symbols:  # the last symbol written at an offset wins
        by_offset[float(symbol.offset)] = symbol
    if not by_offset:
        raise ValueError(f"{source} has no chord symbols: a lead sheet needs a melody and chord symbols")
    melody = []
    for element in flat.notesAndRests:
        if isinstance(element, harmony.ChordSymbol) or element.duration.isGrace or element.quarterLength <= 0:
            continue
        if isinstance(element, chord.Chord):  # a chord in the melody: keep its top note
            pitch = max(p.midi for p in element.pitches)
        elif isinstance(element, note.Note):
            pitch = element.pitch.midi
        else:
            pitch = None
        melody.append(Note(float(element.offset), float(element.quarterLength), pitch))
    if not any(n.pitch is not None for n in melody):
        raise ValueError(f"{source} has no melody notes")
    length = max(float(flat.highestTime), melody[-1].end)
    offsets = sorted(by_offset)
    chords = []
    for i, offset in enumerate(offsets):
        end = offsets[i + 1] if i + 1 < len(offsets) else length
        symbol = by_offset[offset]
        if symbol.figure in FIGURE_FIXES:  # read the corrected figure instead
            chords.append(make_chord(FIGURE_FIXES[symbol.figure], offset, end - offset))
        else:
            tones = tuple(sorted({p.pitchClass for p in symbol.pitches}))
            chords.append(Chord(symbol.figure.replace("-", "b"), symbol.root().pitchClass, tones, offset, end - offset))
    signatures = list(flat.getElementsByClass(meter.TimeSignature))
    beats = float(signatures[0].barDuration.quarterLength) if signatures else 4.0
    return Piece(_title(score, str(source)), str(source), tuple(melody), tuple(chords), length, beats)


def load_piece(source):
    """The pieces (one, or several for a collection such as an ABC file) of a corpus work or a music file.

    FileNotFoundError names a missing file; ValueError names a file music21 cannot read or one with no
    chord symbols or no melody.
    """
    from music21 import stream
    path = corpus_path(source)
    score = _parse_file(path)
    scores = list(score.scores) if isinstance(score, stream.Opus) else [score]
    name = str(source)
    return [_piece_from_score(s, name if len(scores) == 1 else f"{name} #{i + 1}") for i, s in enumerate(scores)]


def load_lead_sheets(sources=LEAD_SHEETS):
    """Every piece of the given corpus works or files, in the original key."""
    return [piece for source in sources for piece in load_piece(source)]


def find_lead_sheets(min_chords=8, min_notes=32):
    """Corpus works that are lead sheets: one part, at least `min_chords` chord symbols and `min_notes` notes.

    A quick text search picks the files that could hold chord symbols (MusicXML <harmony> elements, ABC
    chords in quotes); music21 then parses each to count them. The demos folder (test files) is skipped.
    Returns [(work, title, chord symbols, notes)].
    """
    import zipfile

    from music21 import corpus, harmony, note, stream
    root = Path(corpus.__file__).parent
    found = []
    for path in sorted(root.rglob("*")):
        if "demos" in path.parts or path.suffix not in (".mxl", ".xml", ".musicxml", ".abc"):
            continue
        if path.suffix == ".mxl":
            with zipfile.ZipFile(path) as archive:
                text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                                if n.endswith("xml") and not n.startswith("META"))
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
        if "<harmony" not in text and not re.search(r'"[A-G][b#]?(m|7|maj|dim|aug|6|9)?[^"^_<>@]{0,5}"', text):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # music21's remarks on the encodings of other scores
            score = _parse_file(path)
        work = path.relative_to(root).with_suffix("").as_posix()
        for s in (score.scores if isinstance(score, stream.Opus) else [score]):
            parts = list(s.parts) or [s]
            flat = parts[0].flatten()
            n_chords = len(flat.getElementsByClass(harmony.ChordSymbol))
            n_notes = len(flat.getElementsByClass(note.Note))
            if len(parts) == 1 and n_chords >= min_chords and n_notes >= min_notes:
                found.append((work, _title(s, work), n_chords, n_notes))
    return found


# --- notes <-> grammar symbols ---------------------------------------------------------------

def note_role(pitch, chord):
    """The role of a MIDI pitch against a chord: 'C', 'L', 'S', 'A' or 'X' (see ROLES)."""
    pc = pitch % 12
    if pc in chord.tones:
        return "C"
    quality, step = chord.quality, (pc - chord.root) % 12
    if step in COLOURS[quality]:
        return "L"
    if step in SCALES[quality]:
        return "S"
    if any((pc - tone) % 12 in (1, 11) for tone in chord.tones):
        return "A"
    return "X"


def interval_bin(step):
    """The label of the range holding a step of `step` semitones: '+3..+5', '0', '-2..-1', ..."""
    step = int(np.clip(step, INTERVAL_BINS[0][0], INTERVAL_BINS[-1][1]))
    low, high = next(b for b in INTERVAL_BINS if b[0] <= step <= b[1])
    return f"{low:+d}..{high:+d}" if low != high else "0"


def bin_range(label):
    """(lowest, highest) step of an interval label; 'end' allows any step within an octave."""
    if label == "end":
        return -12, 12
    if label == "0":
        return 0, 0
    low, high = label.split("..")
    return int(low), int(high)


def duration_text(duration):
    """A duration in quarter notes as a short fraction: 0.5 -> '1/2', 1.5 -> '3/2', 2.0 -> '2'."""
    return str(Fraction(duration).limit_denominator(12))


def make_symbol(role, duration, interval=None):
    if role == "R":
        return f"R:{duration_text(duration)}"
    return f"{role}:{duration_text(duration)}:{interval}"


def parse_symbol(symbol):
    """(role, duration in quarter notes, interval label or None for a rest); ValueError if malformed."""
    parts = str(symbol).split(":")
    try:
        role, duration = parts[0], float(Fraction(parts[1]))
        if role not in ROLES or duration <= 0 or len(parts) != (2 if role == "R" else 3):
            raise ValueError
        interval = parts[2] if role != "R" else None
        if interval is not None:
            bin_range(interval)
    except (ValueError, IndexError, ZeroDivisionError):
        raise ValueError(f"not a grammar symbol: {symbol!r} (expected e.g. 'C:1/2:+1..+2' or 'R:1')") from None
    return role, duration, interval


def _trimmed(melody):
    """Rests merged, leading and trailing rests dropped."""
    merged = []
    for n in melody:
        if n.pitch is None and merged and merged[-1].pitch is None:
            merged[-1] = replace(merged[-1], duration=merged[-1].duration + n.duration)
        else:
            merged.append(n)
    while merged and merged[0].pitch is None:
        merged.pop(0)
    while merged and merged[-1].pitch is None:
        merged.pop()
    return merged


def melody_to_symbols(piece):
    """The grammar symbols of a piece's melody, one per note or rest (leading and trailing rests dropped)."""
    melody = _trimmed(piece.melody)
    sounding = [i for i, n in enumerate(melody) if n.pitch is not None]
    next_note = {i: j for i, j in zip(sounding, sounding[1:])}
    symbols = []
    for i, n in enumerate(melody):
        if n.pitch is None:
            symbols.append(make_symbol("R", n.duration))
            continue
        interval = interval_bin(melody[next_note[i]].pitch - n.pitch) if i in next_note else "end"
        symbols.append(make_symbol(note_role(n.pitch, chord_at(piece.chords, n.offset)), n.duration, interval))
    return symbols


def role_pitches(role, chord, low=SOLO_RANGE[0], high=SOLO_RANGE[1]):
    """The MIDI pitches in [low, high] that have `role` against `chord`."""
    return [p for p in range(low, high + 1) if note_role(p, chord) == role]


def symbols_to_notes(symbols, chords, start=None, low=SOLO_RANGE[0], high=SOLO_RANGE[1], rng=None, length=None,
                     offset=0.0):
    """Run the grammar back: notes (rests included) for `symbols` over `chords`.

    Each note gets a pitch in [low, high] with its symbol's role against the chord sounding when it starts
    (a chord tone if no pitch in range has that role), and the step from each note to the next lies in the
    first note's interval range wherever some choice of pitches allows it (looking ahead to the end; a
    step that cannot be met, such as a leap of more than an octave, comes as close as it can).
    Among the pitches that keep this possible, the choice is random with `rng` (a numpy Generator), else the
    one nearest the middle of the range. The first note starts near `start` (default: the middle of the
    range). The first symbol starts at `offset` (in quarter notes); with `length`, the notes stop there.
    """
    if not chords:
        raise ValueError("symbols_to_notes needs at least one chord")
    events, offset = [], float(offset)  # (offset, duration, role, interval)
    for symbol in symbols:
        role, duration, interval = parse_symbol(symbol)
        if length is not None:
            if offset >= length - 1e-9:
                break
            duration = min(duration, length - offset)
        events.append((offset, duration, role, interval))
        offset += duration
    sounding = [e for e in events if e[2] != "R"]
    allowed = []
    for offset, _, role, _ in sounding:
        chord = chord_at(chords, offset)
        allowed.append(role_pitches(role, chord, low, high) or role_pitches("C", chord, low, high))
    steps = [bin_range(e[3]) for e in sounding]
    # Backwards: the pitches of each note from which the rest of the steps can still be met.
    feasible = [None] * len(sounding)
    for k in range(len(sounding) - 1, -1, -1):
        if k == len(sounding) - 1:
            feasible[k] = allowed[k]
            continue
        lo, hi = steps[k]
        feasible[k] = [p for p in allowed[k] if any(lo <= q - p <= hi for q in feasible[k + 1])] or allowed[k]
    # Forwards: choose each pitch.
    pitches, previous = [], None
    for k in range(len(sounding)):
        if previous is None:
            target = (low + high) / 2 if start is None else start
            pitch = min(feasible[k], key=lambda p: (abs(p - target), p))
        else:
            lo, hi = steps[k - 1]
            options = [p for p in feasible[k] if lo <= p - previous <= hi]
            if options and rng is not None:
                pitch = int(rng.choice(options))
            elif options:
                pitch = min(options, key=lambda p: (abs(p - previous - (lo + hi) / 2), p))
            else:  # the step cannot be met (a leap larger than an octave, say): come as close as possible
                pitch = min(feasible[k], key=lambda p: (max(lo - (p - previous), (p - previous) - hi), p))
        pitches.append(int(pitch))
        previous = pitch
    pitch_of = iter(pitches)
    return [Note(offset, duration, None if role == "R" else next(pitch_of)) for offset, duration, role, _ in events]


def clean_up(notes, low=SOLO_RANGE[0], high=SOLO_RANGE[1], length=None, max_repeats=2):
    """Tidy generated notes; returns the sounding notes only (rests dropped), sorted.

    Notes at or after `length` are dropped and the last one cut there; of two notes starting together the
    first is kept; a note overlapping the next is cut short; pitches fold into [low, high] by octaves;
    and a pitch struck more than `max_repeats` times in a row is held instead of struck again.
    """
    kept = []
    for n in sorted((n for n in notes if n.pitch is not None and n.duration > 0), key=lambda n: n.offset):
        if length is not None:
            if n.offset >= length - 1e-9:
                continue
            n = replace(n, duration=min(n.duration, length - n.offset))
        if kept and abs(kept[-1].offset - n.offset) < 1e-9:
            continue
        kept.append(replace(n, pitch=fold_into_range(int(n.pitch), low, high)))
    for i in range(len(kept) - 1):
        if kept[i].end > kept[i + 1].offset:
            kept[i] = replace(kept[i], duration=kept[i + 1].offset - kept[i].offset)
    cleaned, run = [], 0
    for n in kept:
        same = cleaned and cleaned[-1].pitch == n.pitch and abs(cleaned[-1].end - n.offset) < 1e-9
        run = run + 1 if same else 1
        if same and run > max_repeats:
            cleaned[-1] = replace(cleaned[-1], duration=n.end - cleaned[-1].offset)
        else:
            cleaned.append(n)
    return cleaned


# --- training data ---------------------------------------------------------------------------

def build_vocabulary(sequences):
    """The sorted list of distinct symbols in `sequences`."""
    return sorted({symbol for sequence in sequences for symbol in sequence})


def make_training_windows(sequences, Tx, vocabulary):
    """One-hot windows of Tx symbols, without duplicates: X (m, Tx, n_values) and Y (Tx, m, n_values).

    Y[t] is the t-th symbol of a window and X[:, t] the symbol before it; X[:, 0] is all zeros, the "start"
    input the generator also begins from. Sequences shorter than Tx are skipped with a warning.
    """
    index = {symbol: i for i, symbol in enumerate(vocabulary)}
    windows, seen = [], set()
    for sequence in sequences:
        if len(sequence) < Tx:
            warnings.warn(f"a sequence of {len(sequence)} symbols is shorter than Tx = {Tx} and was skipped")
            continue
        for start in range(len(sequence) - Tx + 1):
            window = tuple(index[s] for s in sequence[start:start + Tx])
            if window not in seen:
                seen.add(window)
                windows.append(window)
    if not windows:
        raise ValueError(f"no sequence holds Tx = {Tx} symbols")
    targets = np.array(windows)
    eye = np.eye(len(vocabulary), dtype=np.float32)
    Y = eye[targets].swapaxes(0, 1)
    X = np.zeros((len(windows), Tx, len(vocabulary)), dtype=np.float32)
    X[:, 1:] = eye[targets[:, :-1]]
    return X, Y


def load_music_data(Tx=TX, transpositions=TRANSPOSITIONS, sources=LEAD_SHEETS):
    """Training data from the lead sheets in every key of `transpositions`.

    Returns X (m, Tx, n_values), Y (Tx, m, n_values), n_values, indices_values ({index: symbol}) and the
    pieces in their written keys.
    """
    pieces = load_lead_sheets(sources)
    sequences = [melody_to_symbols(transpose(piece, k)) for piece in pieces for k in transpositions]
    vocabulary = build_vocabulary(sequences)
    X, Y = make_training_windows(sequences, Tx, vocabulary)
    return X, Y, len(vocabulary), dict(enumerate(vocabulary)), pieces


# --- measuring ------------------------------------------------------------------------------

def role_counts(notes, chords):
    """{role: number of notes} of the sounding notes against the chords."""
    counts = {role: 0 for role in "CLSAX"}
    for n in notes:
        if n.pitch is not None:
            counts[note_role(n.pitch, chord_at(chords, n.offset))] += 1
    return counts


def chord_scale_share(notes, chords):
    """The share of sounding notes that are chord or scale tones (colour tones included) of their chord."""
    counts = role_counts(notes, chords)
    total = sum(counts.values())
    if total == 0:
        raise ValueError("there are no notes to measure")
    return (counts["C"] + counts["L"] + counts["S"]) / total


def random_notes(notes, rng, low=SOLO_RANGE[0], high=SOLO_RANGE[1]):
    """The baseline: the same rhythm with pitches drawn uniformly from [low, high]."""
    return [n if n.pitch is None else replace(n, pitch=int(rng.integers(low, high + 1))) for n in notes]


def find_loop(symbols, min_repeats=2):
    """(start, period) of the loop a sequence ends in: from `start` on, every symbol repeats the one `period`
    before it, and the loop goes round at least `min_repeats` times. The earliest such start wins (then the
    shortest period); (None, None) if the sequence does not end in a loop.

    find_loop(list("xyzabcabcabc")) == (3, 3)
    """
    symbols = list(symbols)
    best = (None, None)
    for period in range(1, len(symbols) // min_repeats + 1):
        start = len(symbols) - period
        while start > 0 and symbols[start - 1] == symbols[start - 1 + period]:
            start -= 1
        if len(symbols) - start >= min_repeats * period and (best[0] is None or start < best[0]):
            best = (start, period)
    return best


def phrases(symbols, length=8):
    """Every run of `length` consecutive symbols, as tuples, in order."""
    symbols = list(symbols)
    return [tuple(symbols[i:i + length]) for i in range(len(symbols) - length + 1)]


def self_repetition(symbols, length=8):
    """The share of a sequence's `length`-symbol phrases that occur in it more than once (0 if it is shorter)."""
    runs = phrases(symbols, length)
    counts = {}
    for run in runs:
        counts[run] = counts.get(run, 0) + 1
    return float(np.mean([counts[run] > 1 for run in runs])) if runs else 0.0


def copied_share(symbols, training_sequences, length=8):
    """The share of a sequence's `length`-symbol phrases that also occur in one of `training_sequences`."""
    known = {run for sequence in training_sequences for run in phrases(sequence, length)}
    runs = phrases(symbols, length)
    return float(np.mean([run in known for run in runs])) if runs else 0.0


def pitch_name(pitch):
    """The name of a MIDI pitch, flats as 'b': pitch_name(60) == 'C4', pitch_name(70) == 'Bb4'."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


# --- MIDI ------------------------------------------------------------------------------------

def voicing(chord):
    """MIDI pitches to play a chord: its root in the bass (C2..B2) and its tones in A3..G#4."""
    bass = 36 + chord.root % 12
    upper = sorted(57 + (t - 57) % 12 for t in chord.tones)
    return bass, upper


def write_midi(notes, chords, path, tempo=120, title="Jazz solo"):
    """A two-track MIDI file: the solo (sounding notes) and the chords (root in the bass, tones above)."""
    from music21 import chord as m21chord, instrument, metadata, note as m21note, stream, tempo as m21tempo
    path = Path(path)
    score = stream.Score()
    score.metadata = metadata.Metadata(title=title)
    solo, comp = stream.Part(), stream.Part()
    solo.insert(0, instrument.AltoSaxophone())
    solo.insert(0, m21tempo.MetronomeMark(number=tempo))
    comp.insert(0, instrument.Piano())
    for n in notes:
        if n.pitch is not None:
            solo.insert(n.offset, m21note.Note(int(n.pitch), quarterLength=n.duration))
    for c in chords:
        bass, upper = voicing(c)
        comp.insert(c.offset, m21chord.Chord([bass, *upper], quarterLength=c.duration))
    score.insert(0, solo)
    score.insert(0, comp)
    score.write("midi", fp=str(path))
    return path


def read_midi_melody(path):
    """The notes of the first track of a MIDI file; FileNotFoundError or ValueError naming the file."""
    from music21 import chord as m21chord, note as m21note
    path = Path(path)
    score = _parse_file(path)
    parts = list(getattr(score, "parts", [])) or [score]
    notes = []
    for element in parts[0].stripTies().flatten().notes:  # music21 splits notes at barlines: join them
        pitch = max(p.midi for p in element.pitches) if isinstance(element, m21chord.Chord) else element.pitch.midi
        if isinstance(element, (m21note.Note, m21chord.Chord)):
            notes.append(Note(float(element.offset), float(element.quarterLength), int(pitch)))
    if not notes:
        raise ValueError(f"{path} holds no notes")
    return notes


# --- pictures --------------------------------------------------------------------------------

ROLE_COLOURS = {"C": "#1f4e99", "L": "#2a9d8f", "S": "#7fb069", "A": "#f4a261", "X": "#d62828"}


def plot_piano_roll(notes, chords, ax=None, title=None, low=SOLO_RANGE[0], high=SOLO_RANGE[1], beats_per_bar=4,
                    legend=True):
    """A piano roll of a melody over its chords: the chord tones of each chord shaded, notes coloured by role."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 4))
    for i, chord in enumerate(chords):
        for pitch in range(low, high + 1):
            if pitch % 12 in chord.tones:
                ax.add_patch(Rectangle((chord.offset, pitch - 0.5), chord.duration, 1.0, color="0.88", lw=0))
        ax.axvline(chord.offset, color="0.6", lw=0.6)
        ax.text(chord.offset + 0.1, high + 1.2 + 1.4 * (i % 2), chord.figure, fontsize=8, va="bottom")
    for n in notes:
        if n.pitch is not None:
            role = note_role(n.pitch, chord_at(chords, n.offset))
            ax.add_patch(Rectangle((n.offset, n.pitch - 0.4), max(n.duration - 0.06, 0.05), 0.8,
                                   color=ROLE_COLOURS[role], lw=0))
    end = max([c.end for c in chords] + [n.end for n in notes])
    ax.set_xlim(0, end)
    ax.set_ylim(low - 1, high + 4.5)
    bars = np.arange(0, end + 1e-9, beats_per_bar)
    ax.set_xticks(bars, [str(int(b / beats_per_bar) + 1) for b in bars])
    ax.set_xlabel("bar")
    octaves = [p for p in range(low, high + 1) if p % 12 == 0]
    ax.set_yticks(octaves, [f"C{p // 12 - 1}" for p in octaves])
    if legend:
        ax.legend(handles=[Patch(color=ROLE_COLOURS[r], label=ROLES[r]) for r in "CLSAX"] +
                  [Patch(color="0.88", label="pitches of the chord")], loc="upper left", bbox_to_anchor=(1.005, 1.0),
                  fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args != ["find-lead-sheets"]:
        sys.exit(__doc__)
    for work, title, n_chords, n_notes in find_lead_sheets():
        print(f"{work:45s} {title:35s} {n_chords:4d} chord symbols {n_notes:5d} notes")


if __name__ == "__main__":
    main()
