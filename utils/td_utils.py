"""Trigger word detection (W3A2): audio helpers, a synthetic speech dataset, event-level metrics, own audio.

Everything is generated offline from code: the word "activate" and other words spoken by espeak-ng
(`utils.speech_synth`), and 10-second backgrounds of coloured noise, babble, mains hum and code-generated
music. The course's helpers keep their names and signatures:

- `load_raw_audio(split)`: the raw pieces (activates, negatives, backgrounds) as pydub AudioSegments.
- `graph_spectrogram(audio)`: the (101, 5511) log-power spectrogram the model reads (NumPy STFT, no plot);
  `plot_spectrogram(...)` draws one.
- `match_target_amplitude(sound, dBFS)`, `get_wav_info(path)`.
- No copy of the graded functions (get_random_time_segment, is_overlapping, insert_audio_clip, insert_ones,
  create_training_example): they live in the notebook only. `trace_example(create_training_example, ...)`
  runs the learner's function and records which clips it overlaid where (and the mixed audio).
- `make_dataset(n, seed, split)` / `cached_dataset(...)`: many examples, deterministic from the seed, made by
  the notebook's `create_training_example` (or the one passed in).
- `detect_events`, `event_scores`: event-level precision, recall and F1 with a stated tolerance.
- `load_audio_file`, `audio_to_model_input`: any WAV/FLAC/OGG/MP3 file turned into the model's input.

Splits: "train" and "val" (a held-out set of the same voices and background kinds, for choosing the
threshold) and "dev" (voices, voice variants and background kinds never used for training).
"""
import hashlib
import warnings
from math import gcd
from pathlib import Path
from typing import NamedTuple

import numpy as np

from utils.speech_synth import SAMPLE_RATE, say

with warnings.catch_warnings():  # pydub warns that ffmpeg is missing: we never use it (soundfile reads files)
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / "cache" / "trigger_word"
NOTEBOOK = ROOT / "Week-3" / "W3A2_Trigger_Word_Detection" / "Trigger_Word_Detection.ipynb"

CLIP_MS = 10_000            # every example lasts 10 s
N_SAMPLES = SAMPLE_RATE * CLIP_MS // 1000
NFFT, HOP = 200, 80         # STFT window and hop, in samples at 44.1 kHz
N_FREQ = NFFT // 2 + 1      # 101 frequency bins
Tx = (N_SAMPLES - NFFT) // HOP + 1   # 5511 spectrogram frames
Ty = 1375                   # output steps of the model (after the Conv1D with stride 4)
LABEL_STEPS = 50            # ones after the end of each "activate"
DB_FLOOR, DB_CEIL = -80.0, 40.0

TRIGGER = "activate"
NEAR_MISSES = ("activity", "captivate", "active", "vacate", "activist", "motivate", "cultivate", "actively",
               "evaluate", "relate", "activities", "captive", "navigate", "aggravate", "elevate")
OTHER_WORDS = ("hello", "computer", "morning", "weather", "music", "play", "stop", "window", "coffee", "seven",
               "banana", "tomorrow", "yesterday", "camera", "elevator", "garden", "yellow", "remember", "station",
               "question", "number", "open", "listen", "basket", "potato", "river", "mountain", "seventeen",
               "calendar", "telephone", "light", "kitchen", "table", "happy", "later", "travel", "vacation",
               "attitude", "actually", "acrobat")
BABBLE_WORDS = ("the", "and", "people", "think", "about", "really", "good", "time", "little", "because",
                "something", "always", "maybe", "never", "water", "city", "money", "friend", "paper", "family",
                "over", "there", "night", "children", "music", "office", "travel", "weekend", "dinner", "okay")

VOICES = {  # espeak-ng English voices (languages) and voice variants of each split
    "train": (("en", "en-us", "en-gb-x-rp", "en-gb-scotland", "en-029"),
              ("m1", "m2", "m3", "m4", "m5", "f1", "f2", "f3", "klatt", "klatt2", "Andy", "Annie", "Denis",
               "Gene", "Lee", "Mike", "anika", "david", "ed", "john", "linda", "max", "steph", "travis")),
    "dev": (("en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd"),
            ("m6", "m7", "f4", "f5", "klatt3", "Jacky", "aunty", "victor", "zac")),
}
VOICES["val"] = VOICES["train"]
BACKGROUND_KINDS = {
    "train": ("white", "pink", "brown", "babble", "hum50", "chords"),
    "dev": ("blue", "crowd", "hum60", "melody"),
}
BACKGROUND_KINDS["val"] = BACKGROUND_KINDS["train"]
SPLIT_SEEDS = {"train": 1, "val": 2, "dev": 3}
RATES, PITCHES = (120, 260), (20, 80)   # words per minute, espeak pitch 0..100
DATASET_VERSION = 1


# --- course helpers ------------------------------------------------------------------------------

def to_segment(audio, sample_rate=SAMPLE_RATE):
    """A float array in [-1, 1] as a mono 16-bit pydub AudioSegment (no ffmpeg needed)."""
    samples = np.clip(np.round(np.asarray(audio, dtype=np.float64) * 32767), -32768, 32767).astype("<i2")
    return AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=sample_rate, channels=1)


def segment_to_array(segment):
    """A mono 16-bit AudioSegment's samples as float32 in [-1, 1]."""
    if segment.sample_width != 2 or segment.channels != 1:
        segment = segment.set_sample_width(2).set_channels(1)
    return np.frombuffer(segment.raw_data, dtype="<i2").astype(np.float32) / 32768.0


def match_target_amplitude(sound, target_dBFS):
    """`sound` (an AudioSegment) with its gain changed so that its loudness is `target_dBFS`."""
    if sound.dBFS == float("-inf"):
        return sound
    return sound.apply_gain(target_dBFS - sound.dBFS)


def get_wav_info(wav_file):
    """(rate, data) of a WAV file, as scipy.io.wavfile reads it."""
    from scipy.io import wavfile
    rate, data = wavfile.read(wav_file)
    return rate, data


def graph_spectrogram(audio):
    """The log-power spectrogram the model reads: shape (101, frames); (101, 5511) for 10 s at 44.1 kHz.

    audio: a float array at 44.1 kHz, an AudioSegment, or a WAV file's path. Frames of 200 samples
    (Hann window) every 80 samples; power in dB, clipped to [-80, 40] dB, then scaled to about [-3, 3].
    Computing only: `plot_spectrogram` draws it.
    """
    if isinstance(audio, (str, Path)):
        rate, data = get_wav_info(audio)
        if rate != SAMPLE_RATE:
            raise ValueError(f"{audio} is sampled at {rate} Hz; use audio_to_model_input for other rates")
        data = np.asarray(data, dtype=np.float32)
        if data.ndim == 2:
            data = data.mean(axis=1)
        audio = data / 32768.0 if np.abs(data).max(initial=0) > 1.5 else data
    elif isinstance(audio, AudioSegment):
        audio = segment_to_array(audio)
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1 or audio.size < NFFT:
        raise ValueError(f"audio should be a 1-D array of at least {NFFT} samples, got shape {audio.shape}")
    frames = np.lib.stride_tricks.sliding_window_view(audio, NFFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * np.hanning(NFFT).astype(np.float32), axis=1)) ** 2
    db = 10.0 * np.log10(power + 1e-10)
    return ((np.clip(db, DB_FLOOR, DB_CEIL) + 20.0) / 20.0).T.astype(np.float32)


def plot_spectrogram(spec, ax=None, title=None, duration_s=None):
    """Draw a spectrogram from `graph_spectrogram` (frequency up, time along); returns the axes."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    frames = spec.shape[1]
    duration_s = duration_s or (frames - 1) * HOP / SAMPLE_RATE + NFFT / SAMPLE_RATE
    ax.imshow(spec, origin="lower", aspect="auto", cmap="magma", extent=(0, duration_s, 0, SAMPLE_RATE / 2000))
    ax.set_ylabel("frequency (kHz)")
    if title:
        ax.set_title(title)
    return ax


# --- the raw pieces ----------------------------------------------------------------------------

def _split_check(split):
    if split not in VOICES:
        raise ValueError(f"split should be one of {sorted(VOICES)}, got {split!r}")


def random_voice(rng, split):
    """A voice 'language+variant' of the split, drawn with `rng`."""
    languages, variants = VOICES[split]
    return f"{languages[rng.randint(len(languages))]}+{variants[rng.randint(len(variants))]}"


def spoken_word(word, rng, split):
    """`word` said by a random voice of the split at a random rate and pitch: (AudioSegment, description)."""
    voice = random_voice(rng, split)
    rate, pitch = rng.randint(*RATES), rng.randint(*PITCHES)
    segment = match_target_amplitude(to_segment(say(word, voice, rate, pitch)), rng.uniform(-26.0, -14.0))
    return segment, f"{word} ({voice}, {rate} wpm, pitch {pitch})"


def coloured_noise(rng, exponent, n=N_SAMPLES):
    """Noise whose power spectrum goes as f**exponent: 0 white, -1 pink, -2 brown, 1 blue, 2 violet."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / SAMPLE_RATE)
    f[0] = f[1]
    noise = np.fft.irfft(spectrum * f ** (exponent / 2.0), n)
    return noise / np.sqrt(np.mean(noise ** 2))


def babble(rng, split, n_words=None, n=N_SAMPLES):
    """Overlapping synthetic speech (never the trigger word) with a little pink noise."""
    out = 0.05 * coloured_noise(rng, -1, n)
    for _ in range(n_words or rng.randint(30, 60)):
        word = BABBLE_WORDS[rng.randint(len(BABBLE_WORDS))]
        voice = random_voice(rng, split)
        audio = say(word, voice, rng.randint(*RATES), rng.randint(*PITCHES))
        start = rng.randint(0, n - audio.size)
        out[start:start + audio.size] += rng.uniform(0.2, 1.0) * audio
    return out / np.sqrt(np.mean(out ** 2))


def hum(rng, f0, n=N_SAMPLES):
    """Mains hum: a fundamental `f0` and its harmonics with random strengths, slight wobble, some noise."""
    t = np.arange(n) / SAMPLE_RATE
    out = 0.1 * coloured_noise(rng, -1, n)
    for k in range(1, 9):
        wobble = 1.0 + 0.002 * np.sin(2 * np.pi * rng.uniform(0.1, 1.0) * t)
        out += rng.uniform(0.1, 1.0) / k * np.sin(2 * np.pi * k * f0 * wobble * t + rng.uniform(0, 2 * np.pi))
    return out / np.sqrt(np.mean(out ** 2))


def _tone(freq, n, rng, harmonics=5, decay=None):
    t = np.arange(n) / SAMPLE_RATE
    out = sum(np.sin(2 * np.pi * k * freq * t + rng.uniform(0, 2 * np.pi)) / k ** 1.5 for k in range(1, harmonics + 1))
    if decay is not None:
        out = out * np.exp(-t / decay)
    return out


def chords(rng, n=N_SAMPLES):
    """Sustained chords (three or four notes, soft attack and release) changing every 1-2.5 seconds."""
    out, start = np.zeros(n), 0
    while start < n:
        length = min(int(rng.uniform(1.0, 2.5) * SAMPLE_RATE), n - start)
        root = 110.0 * 2 ** (rng.randint(0, 24) / 12)
        envelope = np.minimum(1.0, np.minimum(np.arange(length), np.arange(length)[::-1]) / (0.05 * SAMPLE_RATE))
        for step in (0, 4 if rng.rand() < 0.5 else 3, 7, 12)[: rng.randint(3, 5)]:
            out[start:start + length] += envelope * _tone(root * 2 ** (step / 12), length, rng)
        start += length
    return out / np.sqrt(np.mean(out ** 2))


def melody(rng, n=N_SAMPLES):
    """Plucked notes of a pentatonic melody over a bass line (decaying harmonic tones), code-generated music."""
    out, scale = 0.02 * coloured_noise(rng, -1, n), (0, 2, 4, 7, 9)
    tempo = rng.uniform(0.15, 0.4)  # seconds per note
    start, root = 0, 220.0 * 2 ** (rng.randint(0, 12) / 12)
    while start < n:
        length = min(int(tempo * SAMPLE_RATE * rng.choice([1, 1, 2])), n - start)
        note = root * 2 ** ((scale[rng.randint(5)] + 12 * rng.randint(0, 2)) / 12)
        out[start:start + length] += _tone(note, length, rng, harmonics=8, decay=0.3 * tempo + 0.05)
        if rng.rand() < 0.3:
            out[start:start + length] += 0.7 * _tone(root / 2, length, rng, harmonics=3, decay=0.5)
        start += length
    return out / np.sqrt(np.mean(out ** 2))


def make_background(kind, rng, split="train"):
    """A 10-second background of the given kind, as floats with an RMS of 1 (scale it before use)."""
    noise_exponents = {"white": 0.0, "pink": -1.0, "brown": -2.0, "blue": 1.0, "violet": 2.0}
    if kind in noise_exponents:
        return coloured_noise(rng, noise_exponents[kind])
    if kind in ("babble", "crowd"):
        return babble(rng, split)
    if kind.startswith("hum"):
        return hum(rng, float(kind[3:]))
    if kind == "chords":
        return chords(rng)
    if kind == "melody":
        return melody(rng)
    raise ValueError(f"unknown background kind {kind!r}")


def load_raw_audio(split="train", n_activates=None, n_negatives=None, n_backgrounds=None, seed=None):
    """The raw pieces of a split: (activates, negatives, backgrounds), lists of pydub AudioSegments.

    activates: "activate" said by the split's voices at random rates and pitches; negatives: other words,
    a third of them near-misses ("activity", "captivate", ...); backgrounds: 10 s each, every kind of the
    split in turn. Deterministic: `seed` (default: the split's own) fixes everything.
    """
    _split_check(split)
    defaults = {"train": (1000, 1500, 60), "val": (200, 300, 24), "dev": (200, 300, 24)}[split]
    n_activates, n_negatives, n_backgrounds = (d if v is None else v for v, d in
                                               zip((n_activates, n_negatives, n_backgrounds), defaults))
    rng = np.random.RandomState(SPLIT_SEEDS[split] if seed is None else seed)
    activates = [spoken_word(TRIGGER, rng, split)[0] for _ in range(n_activates)]
    negatives = []
    for i in range(n_negatives):
        words = NEAR_MISSES if i % 3 == 0 else OTHER_WORDS
        negatives.append(spoken_word(words[rng.randint(len(words))], rng, split)[0])
    kinds = BACKGROUND_KINDS[split]
    backgrounds = [to_segment(0.5 * make_background(kinds[i % len(kinds)], rng, split) / 3.0)
                   for i in range(n_backgrounds)]  # RMS 1/6: peaks stay below full scale
    return activates, negatives, backgrounds


# --- watching the learner's create_training_example ---------------------------------------------
# The functions that mix and label an example are the learner's (graded, in the notebook); this module keeps
# no copy of them. Datasets are built by the notebook's own `create_training_example`, which draws from
# np.random and returns (x, y); `trace_example` also records which clips it overlaid where, and the mix.

def _graded_create_training_example():
    """The solution notebook's `create_training_example` (loaded once; it calls the notebook's other graded
    functions, get_random_time_segment, is_overlapping, insert_audio_clip and insert_ones)."""
    global _NOTEBOOK_CREATE
    if _NOTEBOOK_CREATE is None:
        from utils.notebook_tools import load_definitions
        _NOTEBOOK_CREATE = load_definitions(NOTEBOOK).create_training_example
    return _NOTEBOOK_CREATE


_NOTEBOOK_CREATE = None


class Placement(NamedTuple):
    """Where `trace_example` saw a clip overlaid: its kind, start and end (ms, end included), the clip."""
    kind: str
    start: int
    end: int
    clip: AudioSegment

    def __repr__(self):
        return f"Placement({self.kind!r}, {self.start}, {self.end})"


def trace_example(create_training_example, background, activates, negatives, Ty_=Ty):
    """Run `create_training_example(background, activates, negatives, Ty_)` and watch what it mixes.

    Returns (x, y, audio, clips): its x and y; `audio`, the last AudioSegment it made from the background
    (the mix it took the spectrogram of); `clips`, one `Placement(kind, start, end, clip)` per clip it overlaid
    onto the background, in order: kind "activate", "negative" or "other", start and end in ms (end
    included), and the clip itself. The random draws are the function's own (from np.random); watching
    changes none of them.
    """
    kinds = {**{id(clip): "negative" for clip in negatives}, **{id(clip): "activate" for clip in activates}}
    clips, made = [], []

    class Watched(AudioSegment):  # pydub builds every new segment with self.__class__: the watch carries on
        def _spawn(self, data, overrides={}):  # noqa: B006 -- pydub's own signature
            segment = super()._spawn(data, overrides)
            made[:] = [segment]
            return segment

        def overlay(self, seg, position=0, *args, **kwargs):
            clips.append(Placement(kinds.get(id(seg), "other"), int(position), int(position) + len(seg) - 1, seg))
            return super().overlay(seg, position, *args, **kwargs)

    watched = Watched(data=background.raw_data, sample_width=background.sample_width,
                      frame_rate=background.frame_rate, channels=background.channels)
    x, y = create_training_example(watched, activates, negatives, Ty_)
    audio = made[0] if made else watched
    audio = AudioSegment(data=audio.raw_data, sample_width=audio.sample_width, frame_rate=audio.frame_rate,
                         channels=audio.channels)
    return x, y, audio, clips


def activate_ends(clips):
    """The end times (ms) of the activates among `trace_example`'s clips, sorted."""
    return sorted(clip.end for clip in clips if clip.kind == "activate")


# --- datasets ---------------------------------------------------------------------------------

def _example(pieces, rng, split, create_training_example):
    """One example of a dataset: a background at a random level (and sometimes a second one mixed in), then
    `create_training_example` with np.random continuing rng's stream. Returns (x, y, audio, activate ends)."""
    activates, negatives, backgrounds = pieces
    background = backgrounds[rng.randint(len(backgrounds))]
    background = background + rng.uniform(-12.0, 8.0)  # background level: SNR from about 0 to 35 dB
    if rng.rand() < 0.25:
        other = backgrounds[rng.randint(len(backgrounds))]
        background = background.overlay(other + rng.uniform(-18.0, 0.0))
    np.random.set_state(rng.get_state())  # the graded function draws from np.random: the same stream goes on
    x, y, audio, clips = trace_example(create_training_example, background, activates, negatives, Ty)
    return x, y, audio, activate_ends(clips)


def _fill_examples(X, Y, pieces, seed, split, progress, create_training_example=None):
    """Write example i (from RandomState([seed, i])) into X[i] and Y[i]; return the true ends of each example.

    np.random's state is put back afterwards, so building a dataset does not change a notebook's later draws.
    """
    create_training_example = create_training_example or _graded_create_training_example()
    ends, state = [], np.random.get_state()
    try:
        for i in _progress(range(len(X)), progress, f"{split} examples"):
            x, y, _, example_ends = _example(pieces, np.random.RandomState([seed, i]), split, create_training_example)
            X[i], Y[i, :, 0] = x.T, y[0]
            ends.append(example_ends)
    finally:
        np.random.set_state(state)
    return ends


def make_dataset(n, seed, split="train", pieces=None, progress=False, create_training_example=None):
    """n examples of a split: X (n, 5511, 101) float16, Y (n, 1375, 1) float32, ends (list of lists of ms).

    Each example is made by `create_training_example(background, activates, negatives, Ty)` -> (x, y), the
    graded function (default: the solution notebook's; the notebook passes the learner's), which draws from
    np.random. Deterministic: example i draws from np.random.RandomState([seed, i]) and the split's raw
    pieces. X is stored as float16 (half the memory; the values are those `cached_dataset` stores and the
    model trained on).
    """
    _split_check(split)
    pieces = pieces or load_raw_audio(split)
    X = np.zeros((n, Tx, N_FREQ), np.float16)
    Y = np.zeros((n, Ty, 1), np.float32)
    ends = _fill_examples(X, Y, pieces, seed, split, progress, create_training_example)
    return X, Y, ends


def _progress(iterable, show, desc):
    if not show:
        return iterable
    from tqdm.auto import tqdm
    return tqdm(iterable, desc=desc)


def cached_dataset(n, seed, split="train", progress=True, create_training_example=None):
    """Like make_dataset, but stored once as float16 memory-mapped .npy files under cache/ (git-ignored).

    Returns (X memmap (n, 5511, 101) float16, Y (n, 1375, 1) float32, ends). A file whose name or size
    does not match is rebuilt.
    """
    import json
    _split_check(split)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    stem = CACHE_DIR / f"{split}_n{n}_seed{seed}_v{DATASET_VERSION}"
    x_path, y_path, meta_path = (stem.with_suffix(s) for s in (".X.npy", ".Y.npy", ".json"))
    if meta_path.exists() and x_path.exists() and y_path.exists():
        X = np.load(x_path, mmap_mode="r", allow_pickle=False)
        if X.shape == (n, Tx, N_FREQ):
            meta = json.loads(meta_path.read_text())
            return X, np.load(y_path, allow_pickle=False), meta["ends"]
    pieces = load_raw_audio(split)
    X = np.lib.format.open_memmap(x_path, mode="w+", dtype=np.float16, shape=(n, Tx, N_FREQ))
    Y = np.zeros((n, Ty, 1), np.float32)
    ends = _fill_examples(X, Y, pieces, seed, split, progress, create_training_example)
    X.flush()
    np.save(y_path, Y)
    meta_path.write_text(json.dumps({"n": n, "seed": seed, "split": split, "ends": ends}))
    return np.load(x_path, mmap_mode="r", allow_pickle=False), Y, ends


def dataset_fingerprint(X, Y):
    """A short hash of a dataset's arrays, to check that two runs built the same data."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(X[:8], dtype=np.float16).tobytes())
    h.update(np.ascontiguousarray(Y, dtype=np.float32).tobytes())
    return h.hexdigest()[:16]


# --- events and metrics -----------------------------------------------------------------------

TOLERANCE_BEFORE, TOLERANCE_AFTER = 25, 75   # output steps around the true end (1 step = 10 s / 1375 = 7.3 ms)
MIN_GAP = 50                                  # two detections are at least this many steps apart


def end_step(segment_end_ms, Ty_=Ty):
    """The output step of a time in ms (the step insert_ones counts from)."""
    return int(segment_end_ms * Ty_ / float(CLIP_MS))


def detect_events(probs, threshold=0.5, min_gap=MIN_GAP):
    """The steps where the model says "activate": peaks of `probs` (shape (Ty,) or (Ty, 1)) above
    `threshold`, at least `min_gap` steps apart (the higher peak wins). Returns a sorted int array."""
    from scipy.signal import find_peaks
    probs = np.asarray(probs, dtype=np.float64).reshape(-1)
    padded = np.concatenate([[-1.0], probs, [-1.0]])  # a peak at either edge still counts
    peaks, _ = find_peaks(padded, height=threshold, distance=min_gap)
    return peaks - 1


def match_events(detections, true_ends, before=TOLERANCE_BEFORE, after=TOLERANCE_AFTER):
    """(true positives, false positives, false negatives) for one clip: a detection matches a true end
    (in steps) when end - before <= detection <= end + after; each end matches at most one detection."""
    detections, unmatched = sorted(int(d) for d in detections), sorted(int(e) for e in true_ends)
    tp = 0
    for d in detections:
        for e in unmatched:
            if e - before <= d <= e + after:
                unmatched.remove(e)
                tp += 1
                break
    return tp, len(detections) - tp, len(unmatched)


def event_scores(probs, ends_ms, threshold=0.5, min_gap=MIN_GAP, before=TOLERANCE_BEFORE, after=TOLERANCE_AFTER):
    """Event-level scores over a set of clips: dict with precision, recall, f1, tp, fp, fn.

    probs: (m, Ty) or (m, Ty, 1) model outputs; ends_ms: for each clip, the end times (ms) of its activates.
    Precision is 1 and recall 0 when there is nothing to count (no detections / no true events).
    """
    probs = np.asarray(probs)
    if len(probs) != len(ends_ms):
        raise ValueError(f"{len(probs)} clips of probabilities but {len(ends_ms)} lists of end times")
    tp = fp = fn = 0
    for p, ends in zip(probs, ends_ms):
        steps = [end_step(e, p.shape[0]) for e in ends]
        a, b, c = match_events(detect_events(p, threshold, min_gap), steps, before, after)
        tp, fp, fn = tp + a, fp + b, fn + c
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def frame_accuracy(probs, Y, threshold=0.5):
    """The share of output steps whose thresholded probability equals the label."""
    return float(np.mean((np.asarray(probs).reshape(np.shape(Y)) >= threshold) == (np.asarray(Y) >= 0.5)))


# --- your own audio ---------------------------------------------------------------------------

def load_audio_file(path, sample_rate=SAMPLE_RATE, seconds=CLIP_MS / 1000, verbose=True):
    """Any WAV/FLAC/OGG/MP3 file (read by soundfile) as float32 mono at `sample_rate`, exactly `seconds` long.

    Stereo is mixed down, other rates are resampled (scipy.signal.resample_poly), and a shorter file is
    padded with silence or a longer one trimmed to its first `seconds`, with a message saying so.
    A missing file raises FileNotFoundError; a file soundfile cannot decode raises ValueError.
    """
    import soundfile
    from scipy.signal import resample_poly
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such audio file: {path}")
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise ValueError(f"cannot read {path.name} as audio (WAV, FLAC, OGG or MP3 expected): {error}") from None
    if data.shape[0] == 0:
        raise ValueError(f"{path.name} contains no audio samples")
    audio = data.mean(axis=1)
    if rate != sample_rate:
        g = gcd(int(rate), int(sample_rate))
        audio = resample_poly(audio, sample_rate // g, int(rate) // g).astype(np.float32)
    target = int(round(seconds * sample_rate))
    length_s = audio.size / sample_rate
    if audio.size < target:
        if verbose:
            print(f"{path.name}: {length_s:.2f} s long, padded with silence to {seconds:g} s")
        audio = np.concatenate([audio, np.zeros(target - audio.size, np.float32)])
    elif audio.size > target:
        if verbose:
            print(f"{path.name}: {length_s:.2f} s long, trimmed to its first {seconds:g} s")
        audio = audio[:target]
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def audio_to_model_input(path, verbose=True):
    """The model's input for an audio file: shape (1, 5511, 101) (see load_audio_file for what is accepted)."""
    audio = load_audio_file(path, verbose=verbose)
    audio = segment_to_array(match_target_amplitude(to_segment(audio), -20.0)) if np.any(audio) else audio
    return graph_spectrogram(audio).T[np.newaxis]
