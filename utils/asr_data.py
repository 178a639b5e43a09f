"""Speech recognition with CTC (W3 CTC lab): the alphabet, spoken utterances and their datasets.

Everything is synthesized offline: short requests ("call four one seven", "set a timer for nine minutes")
said by espeak-ng (`utils.speech_synth`) and mixed with W3A2's kinds of background noise (`utils.td_utils`).

- `ALPHABET`, `BLANK`, `text_to_ids`, `ids_to_text`: characters <-> integer ids; id 0 is the CTC blank.
- `speak(text, voice, rate, pitch)`: an utterance as float32 at 16 kHz.
- `mel_filterbank(...)`: the triangular mel filters the features use (HTK mel scale, as `tf.signal`).
- `random_text(rng, ...)`, `make_utterances(n, split, seed)`: transcripts and noisy audio, deterministic.

Splits: "train" and "val" (the same voices and background kinds) and "test" (voices, voice variants and
background kinds never heard in training, and some requests longer than any in training).
"""
import numpy as np
from scipy.signal import resample_poly

from utils import speech_synth

SAMPLE_RATE = 16_000              # the recogniser's rate; espeak-ng's 44.1 kHz output is resampled
ALPHABET = " 'abcdefghijklmnopqrstuvwxyz"
BLANK = 0                          # id 0 is the CTC blank; characters are 1..28
N_SYMBOLS = len(ALPHABET) + 1      # 29 outputs per frame
_ID = {c: i + 1 for i, c in enumerate(ALPHABET)}


def text_to_ids(text):
    """A transcript as an int32 array of ids 1..28 (lower-cased); any other character raises ValueError."""
    text = text.lower()
    unknown = sorted(set(text) - set(ALPHABET))
    if unknown:
        raise ValueError(f"the recogniser's alphabet is letters, space and apostrophe; {text!r} has {unknown}")
    return np.array([_ID[c] for c in text], dtype=np.int32)


def ids_to_text(ids):
    """Ids 1..28 back to text; the blank (0) is skipped."""
    return "".join(ALPHABET[i - 1] for i in np.asarray(ids, dtype=int).ravel() if i != BLANK)


def speak(text, voice="en-us", rate=160, pitch=50, warp=1.0):
    """`text` said by espeak-ng's `voice` at `rate` words per minute and `pitch` (0-100): float32 at 16 kHz.

    `warp` != 1 scales every frequency (pitch and formants: a shorter or longer vocal tract) by that factor,
    by reading the 44.1 kHz output as if it were sampled at 44.1 kHz * warp; the speaking rate is compensated,
    so the utterance still lasts as long as at `rate`.
    """
    if not 0.5 <= warp <= 2.0:
        raise ValueError(f"warp should be between 0.5 and 2, got {warp}")
    audio = speech_synth.say(text, voice, max(80, round(rate / warp)), pitch)
    return resample_poly(audio, 160, round(441 * warp)).astype(np.float32)   # 44,100 * 160 / 441 = 16,000


def hz_to_mel(hz):
    """The HTK mel scale: 2595 log10(1 + f / 700) (= 1127 ln(1 + f / 700))."""
    return 1127.0 * np.log1p(np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel):
    """Inverse of `hz_to_mel`."""
    return 700.0 * np.expm1(np.asarray(mel, dtype=np.float64) / 1127.0)


def mel_filterbank(n_mels=40, n_fft=512, sample_rate=SAMPLE_RATE, f_min=20.0, f_max=7600.0):
    """Triangular filters equally spaced in mel: shape (n_fft // 2 + 1, n_mels), one column per filter.

    Filter m rises from mel edge m to edge m + 1 and falls to edge m + 2 (n_mels + 2 edges from f_min to f_max);
    the DC bin is left out, as `tf.signal.linear_to_mel_weight_matrix` does.
    """
    bins_hz = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    edges = np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2)
    mel = hz_to_mel(bins_hz)[:, np.newaxis]
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    weights = np.maximum(0.0, np.minimum((mel - lower) / (center - lower), (upper - mel) / (upper - center)))
    weights[0] = 0.0
    return weights.astype(np.float32)


# --- what is said ------------------------------------------------------------------------------

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "oh")
NUMBERS = DIGITS[1:10] + ("ten", "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty")
DEVICES = ("lights", "radio", "heater", "fan", "oven", "kettle", "music", "alarm")
COMMANDS = (
    "call {digits}", "dial {digits}", "text {digits}",
    "set a timer for {number} minutes", "wake me up at {number} o'clock", "remind me in {number} hours",
    "turn on the {device}", "turn off the {device}", "switch off the {device}", "what's the time",
    "play track {number}", "skip {number} songs", "volume up", "volume down", "stop the {device}",
    "don't call {digits}", "cancel the alarm", "it's {number} degrees", "open the door", "close the window",
)
TRAIN_DIGITS, LONG_DIGITS = (3, 6), (8, 11)   # digits in "call ..." (upper bound excluded)


def random_text(rng, long=False):
    """A request drawn with `rng` (a np.random.RandomState); `long` ones dial 8 to 10 digits (training: 3 to 5)."""
    if long:
        n = rng.randint(*LONG_DIGITS)
        return f"{('call', 'dial')[rng.randint(2)]} " + " ".join(DIGITS[rng.randint(len(DIGITS))] for _ in range(n))
    template = COMMANDS[rng.randint(len(COMMANDS))]
    digits = " ".join(DIGITS[rng.randint(len(DIGITS))] for _ in range(rng.randint(*TRAIN_DIGITS)))
    return template.format(digits=digits, number=NUMBERS[rng.randint(len(NUMBERS))],
                           device=DEVICES[rng.randint(len(DEVICES))])


# --- how it is said, and over what ---------------------------------------------------------------
# Voices and background kinds per split come from W3A2 (utils.td_utils): the "test" split uses W3A2's
# held-out "dev" voices, variants and backgrounds, never heard in training.

SPLITS = {"train": "train", "val": "train", "test": "dev"}   # our split -> W3A2's voices and backgrounds
SPLIT_SEEDS = {"train": 11, "val": 12, "test": 13}
RATES, PITCHES = (130, 220), (20, 80)
# Vocal tract length perturbation, for training only: frequencies scaled by a factor drawn log-uniformly from
# WARPS, from a long adult vocal tract (0.85) to a child's (1.5), so that the recogniser meets more than the
# few formant sets of espeak-ng's training variants. Held-out voices are never warped.
WARPS = {"train": (0.85, 1.5), "val": None, "test": None}
SNR_DB = (5.0, 25.0)
N_BACKGROUNDS = 12                       # 10-second backgrounds per split, cut into pieces
DATASET_VERSION = 2


def _split_check(split):
    if split not in SPLITS:
        raise ValueError(f"split should be one of {sorted(SPLITS)}, got {split!r}")


def backgrounds(split, seed=None):
    """`N_BACKGROUNDS` 10-second backgrounds of the split's kinds at 16 kHz, RMS 1 (W3A2's generators)."""
    from utils import td_utils
    _split_check(split)
    rng = np.random.RandomState(100 + SPLIT_SEEDS[split] if seed is None else seed)
    kinds = td_utils.BACKGROUND_KINDS[SPLITS[split]]
    out = []
    for i in range(N_BACKGROUNDS):
        noise = resample_poly(td_utils.make_background(kinds[i % len(kinds)], rng, SPLITS[split]), 160, 441)
        out.append((noise / np.sqrt(np.mean(noise ** 2))).astype(np.float32))
    return out


def noisy_utterance(text, rng, split, noises):
    """`text` said by a random voice of the split, with 0.1-0.4 s of silence around it, over a piece of one of
    `noises` at a random signal-to-noise ratio: (float32 audio at 16 kHz, a description)."""
    from utils import td_utils
    voice = td_utils.random_voice(rng, SPLITS[split])
    rate, pitch = rng.randint(*RATES), rng.randint(*PITCHES)
    warp = float(np.exp(rng.uniform(*np.log(WARPS[split])))) if WARPS[split] else 1.0
    speech = speak(text, voice, rate, pitch, warp)
    speech = 0.1 * speech / np.sqrt(np.mean(speech ** 2))                # speech RMS 0.1 (-20 dBFS)
    lead, tail = (int(rng.uniform(0.1, 0.4) * SAMPLE_RATE) for _ in range(2))
    audio = np.concatenate([np.zeros(lead, np.float32), speech, np.zeros(tail, np.float32)])
    noise = noises[rng.randint(len(noises))]
    start = rng.randint(noise.size - audio.size) if noise.size > audio.size else 0
    snr = rng.uniform(*SNR_DB)
    piece = noise[start:start + audio.size]
    audio[:piece.size] += 0.1 * 10 ** (-snr / 20) * piece
    warped = f", frequencies x{warp:.2f}" if warp != 1.0 else ""
    return np.clip(audio, -1.0, 1.0), f"{voice}, {rate} wpm, pitch {pitch}{warped}, SNR {snr:.0f} dB"


def make_utterances(n, split, seed=None, long=False, progress=False):
    """`n` noisy utterances of a split: (list of float32 arrays at 16 kHz, list of transcripts, descriptions).

    Deterministic: `seed` (default: the split's own) fixes texts, voices, rates, pitches, noises and SNRs.
    `long=True` gives requests of 8 to 10 digits, longer than any in training (for the "test" split).
    """
    _split_check(split)
    rng = np.random.RandomState(SPLIT_SEEDS[split] + (1000 if long else 0) if seed is None else seed)
    noises = backgrounds(split)
    audios, texts, notes = [], [], []
    steps = range(n)
    if progress:
        from tqdm.auto import tqdm
        steps = tqdm(steps, desc=f"synthesizing {split}")
    for _ in steps:
        text = random_text(rng, long=long)
        audio, note = noisy_utterance(text, rng, split, noises)
        audios.append(audio)
        texts.append(text)
        notes.append(note)
    return audios, texts, notes


# --- your own recording ------------------------------------------------------------------------

MAX_SECONDS = 15.0


def load_speech_file(path, max_seconds=MAX_SECONDS):
    """A WAV/FLAC/OGG/MP3 file as float32 mono at 16 kHz for the recogniser, or a ValueError saying why not.

    Stereo is mixed down and rates above 16 kHz are resampled (W3A2's `load_audio_file`); refused: rates below
    16 kHz (the features need frequencies up to 7.6 kHz), files longer than `max_seconds`, and silence.
    """
    from pathlib import Path

    import soundfile

    from utils import td_utils
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such audio file: {path}")
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise ValueError(f"cannot read {path.name} as audio (WAV, FLAC, OGG or MP3 expected): {error}") from None
    if info.samplerate < SAMPLE_RATE:
        raise ValueError(f"{path.name} is sampled at {info.samplerate:,} Hz; the recogniser needs at least "
                         f"{SAMPLE_RATE:,} Hz (its features go up to 7.6 kHz, which {info.samplerate:,} Hz cannot hold)")
    if info.duration > max_seconds:
        raise ValueError(f"{path.name} lasts {info.duration:.1f} s; the recogniser takes at most {max_seconds:g} s "
                         "(it was trained on requests of a few seconds): cut it into sentences first")
    audio = td_utils.load_audio_file(path, sample_rate=SAMPLE_RATE, seconds=info.duration, verbose=False)
    if audio.size == 0 or np.sqrt(np.mean(audio.astype(np.float64) ** 2)) < 1e-4:
        raise ValueError(f"{path.name} is silent (its level is below -80 dBFS): nothing to transcribe")
    return audio
