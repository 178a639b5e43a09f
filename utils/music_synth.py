"""A small synthesizer in NumPy: notes and chords -> audio you can play (W1A3).

Each note is a sum of sine waves at its frequency and a few multiples of it (additive synthesis), shaped
by an ADSR envelope (attack, decay, sustain, release). Three voices play together: the solo (a reedy tone
that holds while the note lasts), the chords (piano-like: struck, then fading) and a bass (root on the
first beat of each chord, fifth on the third). No sound font, FluidSynth or ffmpeg is needed.
"""
import wave
from pathlib import Path

import numpy as np

from utils.music_utils import voicing

SAMPLE_RATE = 22050
PEAK = 0.89  # the loudest sample after normalising: about -1 dB below full scale, so nothing clips
RELEASE_TAIL = 0.6  # seconds of audio kept after the last note starts to fade

# (relative amplitudes of the harmonics 1, 2, 3, ...), attack, decay, sustain level, release (seconds)
VOICES = {
    "solo": dict(harmonics=(1.0, 0.55, 0.35, 0.22, 0.12, 0.06), attack=0.02, decay=0.12, sustain=0.75,
                 release=0.08, gain=1.0, vibrato=0.004),
    "chords": dict(harmonics=(1.0, 0.35, 0.12, 0.05), attack=0.006, decay=0.9, sustain=0.0, release=0.1,
                   gain=0.16, vibrato=0.0),
    "bass": dict(harmonics=(1.0, 0.5, 0.2), attack=0.01, decay=0.5, sustain=0.25, release=0.08, gain=0.45,
                 vibrato=0.0),
}


def midi_to_hz(pitch):
    """Frequency in hertz of a MIDI pitch (69 = A4 = 440 Hz, equal temperament)."""
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=float) - 69.0) / 12.0)


def adsr(duration, sample_rate, attack, decay, sustain, release):
    """The envelope of a note held for `duration` seconds, then released: values in [0, 1].

    Rises linearly to 1 in `attack`, falls exponentially towards `sustain` (time constant `decay`) while
    held, then falls linearly to 0 in `release`.
    """
    held = max(int(round(duration * sample_rate)), 1)
    t = np.arange(held) / sample_rate
    rise = np.minimum(t / max(attack, 1e-6), 1.0)
    fall = sustain + (1.0 - sustain) * np.exp(-np.maximum(t - attack, 0.0) / max(decay, 1e-6))
    envelope = rise * fall
    tail = envelope[-1] * np.linspace(1.0, 0.0, max(int(round(release * sample_rate)), 1), endpoint=False)
    return np.concatenate([envelope, tail])


def tone(pitch, duration, sample_rate=SAMPLE_RATE, harmonics=(1.0,), attack=0.01, decay=0.1, sustain=0.7,
         release=0.05, vibrato=0.0, **_):
    """The samples of one note: harmonics of the pitch's frequency under an ADSR envelope (peak about 1)."""
    envelope = adsr(duration, sample_rate, attack, decay, sustain, release)
    t = np.arange(envelope.size) / sample_rate
    f0 = midi_to_hz(pitch)
    # A slow, shallow vibrato (5 Hz) that sets in after the attack makes held notes sound less electronic.
    depth = vibrato * np.clip((t - 0.15) / 0.2, 0.0, 1.0)
    phase = 2 * np.pi * np.cumsum(f0 * (1.0 + depth * np.sin(2 * np.pi * 5.0 * t))) / sample_rate
    wave_ = np.zeros_like(t)
    for k, amplitude in enumerate(harmonics, start=1):
        if k * f0 < sample_rate / 2:  # keep every partial below the Nyquist frequency
            wave_ += amplitude * np.sin(k * phase)
    return envelope * wave_ / sum(harmonics)


def _add(buffer, samples, start):
    stop = min(start + samples.size, buffer.size)
    buffer[start:stop] += samples[:stop - start]


def swung(time, swing=0.5):
    """Where a time in quarter notes falls when eighth notes swing: the off-beat moves to `swing` of the beat.

    swing=0.5 plays straight; 2/3 is the triplet swing of jazz (a long-short pair of eighths).
    """
    if not 0.0 < swing < 1.0:
        raise ValueError(f"swing must be between 0 and 1 (0.5 = straight), got {swing}")
    beat = np.floor(time + 1e-9)
    f = time - beat
    return beat + np.where(f <= 0.5, f / 0.5 * swing, swing + (f - 0.5) / 0.5 * (1.0 - swing))


def synthesize(notes, chords=(), tempo=120, sample_rate=SAMPLE_RATE, accompaniment=True, swing=0.5):
    """Mono audio (float32, peak PEAK) of a solo over chords; tempo in quarter notes per minute.

    `notes` are utils.music_utils.Note (rests, pitch None, are silent), `chords` utils.music_utils.Chord;
    `swing` (see `swung`) moves the solo's off-beat eighths, 0.5 plays them straight.
    """
    if tempo <= 0 or sample_rate <= 0:
        raise ValueError("tempo and sample_rate must be positive")
    sounding = [n for n in notes if n.pitch is not None]
    if not sounding and not chords:
        raise ValueError("nothing to play: no notes and no chords")
    seconds = 60.0 / tempo
    end = max([n.end for n in sounding] + [c.end for c in chords if accompaniment]) * seconds
    audio = np.zeros(int((end + RELEASE_TAIL) * sample_rate) + 1)
    for n in sounding:
        start, stop = float(swung(n.offset, swing)), float(swung(n.end, swing))
        _add(audio, VOICES["solo"]["gain"] * tone(n.pitch, (stop - start) * seconds, sample_rate, **VOICES["solo"]),
             int(round(start * seconds * sample_rate)))
    if accompaniment:
        for c in chords:
            bass, upper = voicing(c)
            hits = np.arange(c.offset, c.end - 1e-9, 2.0)  # the chord on beats 1 and 3, the bass too
            for i, hit in enumerate(hits):
                length = min(2.0, c.end - hit) * seconds
                start = int(round(hit * seconds * sample_rate))
                for pitch in upper:
                    _add(audio, VOICES["chords"]["gain"] * tone(pitch, length, sample_rate, **VOICES["chords"]), start)
                root_or_fifth = bass if i % 2 == 0 else bass + 7
                _add(audio, VOICES["bass"]["gain"] * tone(root_or_fifth, length, sample_rate, **VOICES["bass"]),
                     start)
    peak = np.max(np.abs(audio))
    return (audio * (PEAK / peak if peak > 0 else 1.0)).astype(np.float32)


def write_wav(path, audio, sample_rate=SAMPLE_RATE):
    """Write mono float audio in [-1, 1] as a 16-bit PCM WAV file; ValueError if it would clip."""
    audio = np.asarray(audio, dtype=float)
    if audio.ndim != 1:
        raise ValueError(f"expected mono audio (one dimension), got shape {audio.shape}")
    if not np.all(np.isfinite(audio)) or np.max(np.abs(audio), initial=0.0) > 1.0:
        raise ValueError("audio must be finite and within [-1, 1] (it would clip)")
    path = Path(path)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(sample_rate))
        out.writeframes(np.round(audio * 32767).astype("<i2").tobytes())
    return path


def read_wav(path):
    """(audio as float32 in [-1, 1], sample rate) of a 16-bit PCM WAV file; errors name the file.

    Stereo files are mixed down to mono.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"audio file not found: {path}")
    try:
        with wave.open(str(path), "rb") as source:
            channels, width, rate = source.getnchannels(), source.getsampwidth(), source.getframerate()
            frames = source.readframes(source.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValueError(f"{path} is not a readable WAV file ({error})") from None
    if width != 2:
        raise ValueError(f"{path} has {8 * width}-bit samples; only 16-bit PCM is supported")
    audio = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    return audio.reshape(-1, channels).mean(axis=1), rate


def spectrogram(audio, sample_rate=SAMPLE_RATE, n_fft=1024, hop=256, floor_db=-100.0):
    """(times in s, frequencies in Hz, level in dB of shape (frequencies, times)) of mono audio.

    Short-time Fourier transform with a Hann window; levels relative to a full-scale sine, never below
    `floor_db` (silence would otherwise be minus infinity).
    """
    audio = np.asarray(audio, dtype=float)
    if audio.ndim != 1 or audio.size < n_fft:
        raise ValueError(f"expected mono audio of at least {n_fft} samples, got shape {audio.shape}")
    window = np.hanning(n_fft)
    starts = np.arange(0, audio.size - n_fft + 1, hop)
    frames = np.stack([audio[s:s + n_fft] * window for s in starts])
    magnitude = np.abs(np.fft.rfft(frames, axis=1)).T / (window.sum() / 2)
    level = 20 * np.log10(np.maximum(magnitude, 10 ** (floor_db / 20)))
    return (starts + n_fft / 2) / sample_rate, np.fft.rfftfreq(n_fft, 1 / sample_rate), level


def audio_stats(audio, sample_rate=SAMPLE_RATE):
    """{'seconds', 'peak', 'peak_dbfs', 'rms_dbfs', 'clipped'} of mono audio: numbers to check a render by."""
    audio = np.asarray(audio, dtype=float)
    peak = float(np.max(np.abs(audio), initial=0.0))
    rms = float(np.sqrt(np.mean(audio ** 2))) if audio.size else 0.0
    return {"seconds": audio.size / sample_rate, "peak": peak,
            "peak_dbfs": 20 * np.log10(peak) if peak > 0 else -np.inf,
            "rms_dbfs": 20 * np.log10(rms) if rms > 0 else -np.inf,
            "clipped": int(np.sum(np.abs(audio) >= 32767 / 32768))}
