"""Synthetic speech from the espeak-ng engine bundled in the pinned package `espeakng-loader` (W3A2).

    from utils.speech_synth import say
    audio = say("activate", voice="en-us+f3", rate=160, pitch=50)   # float32 in [-1, 1] at 44.1 kHz

The engine is called through ctypes (no extra wrapper package): `espeak_Initialize` in synchronous mode,
a synthesis callback that collects the int16 samples at the engine's own rate (22,050 Hz), then
`scipy.signal.resample_poly` up to 44.1 kHz (a factor of exactly 2) and leading/trailing silence trimmed.
espeak-ng carries internal state from one utterance to the next, so each utterance is synthesized in a
child process forked from a small server process (see `_serve`): the same word, voice, rate and pitch
always give the same samples, whatever was said before.

A voice is a language ("en-us") optionally followed by "+variant" ("en-us+f3"): the variants are the files
in `espeak-ng-data/voices/!v` (`VARIANTS` lists the ones this project uses).
"""
import ctypes
import functools
import sys
import threading
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from utils import ROOT

SAMPLE_RATE = 44100        # what `say` returns (the course's rate)
ENGINE_RATE = 22050        # what espeak-ng produces
ENGLISH_VOICES = ("en", "en-us", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-us-nyc",
                  "en-gb-x-gbclan", "en-gb-x-gbcwmd")
VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
            "klatt", "klatt2", "klatt3", "croak", "whisper", "Andy", "Annie", "Denis", "Gene",
            "Jacky", "Lee", "Mike", "Storm", "anika", "aunty", "david", "ed", "john", "linda", "max",
            "steph", "travis", "victor", "zac")

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_espeakRATE, _espeakVOLUME, _espeakPITCH, _espeakRANGE = 1, 2, 3, 4
_POS_CHARACTER, _espeakCHARS_UTF8 = 1, 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_lock = threading.Lock()


def data_path():
    """The folder espeak-ng-data shipped by espeakng-loader."""
    import espeakng_loader
    return Path(espeakng_loader.get_data_path())


@functools.lru_cache(maxsize=1)
def available_variants():
    """Names of the voice variants shipped with the engine (files in espeak-ng-data/voices/!v), sorted."""
    return tuple(sorted(p.name for p in (data_path() / "voices" / "!v").iterdir() if p.is_file()))


class _Engine:
    """The engine, initialised once per process; `synth` is serialised by a lock (the engine is global)."""

    def __init__(self):
        import espeakng_loader
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib = self.lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        # Breathy and rough variants add noise from a random generator: reseed it before every utterance.
        self._set_seed = getattr(lib, "espeak_ng_SetRandSeed", None)
        if self._set_seed is not None:
            self._set_seed.argtypes = [ctypes.c_long]
            self._set_seed.restype = None
        self._libc = ctypes.CDLL(None)
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data_path()).encode(), 0)
        if rate != ENGINE_RATE:
            raise RuntimeError(f"espeak-ng did not start (espeak_Initialize returned {rate})")
        self.chunks = []
        self._callback = _CALLBACK(self._collect)   # keep a reference: the engine holds only a pointer
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, n, events):
        if n > 0 and wav:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    def synth(self, text, voice, rate, pitch):
        with _lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise ValueError(f"unknown espeak-ng voice {voice!r}: use a language such as one of "
                                 f"{ENGLISH_VOICES[:4]}, optionally with '+variant' from available_variants()")
            self.lib.espeak_SetParameter(_espeakRATE, int(rate), 0)
            self.lib.espeak_SetParameter(_espeakPITCH, int(pitch), 0)
            self.lib.espeak_SetParameter(_espeakVOLUME, 100, 0)
            self.lib.espeak_SetParameter(_espeakRANGE, 50, 0)
            self.chunks = []
            if self._set_seed is not None:
                self._set_seed(1)
            self._libc.srand(1)
            data = text.encode("utf-8") + b"\0"
            error = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _espeakCHARS_UTF8, None, None)
            if error != 0:
                raise RuntimeError(f"espeak-ng failed to synthesize {text!r} (error {error})")
            chunks, self.chunks = self.chunks, []
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int16)


def _serve():
    """The synthesis server (`python -m utils.speech_synth --serve`): one request per line on stdin.

    espeak-ng keeps internal state from one utterance to the next (its pitch flutter and wave-table
    positions continue), so the same word said twice differs slightly. To make every utterance
    reproducible, this small single-threaded process forks a child per request: the child starts from
    the pristine engine state, synthesizes, and writes `<int32 n><n int16 samples>` (or a negative n
    followed by an error message) to stdout.
    """
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts are for the caller; we stop when stdin closes
    out = sys.stdout.buffer
    engine = _Engine()  # loaded once; each child starts from this just-initialised state
    try:
        _serve_requests(engine, out)
    except (KeyboardInterrupt, BrokenPipeError):  # the caller went away (e.g. a kernel shutting down)
        pass


def _serve_requests(engine, out):
    import json
    import os
    import struct
    for line in sys.stdin:
        request = json.loads(line)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: fresh engine state, one utterance, exit
            os.close(read)
            try:
                samples = engine.synth(request["text"], request["voice"], request["rate"], request["pitch"])
                payload = struct.pack("<i", samples.size) + samples.astype("<i2").tobytes()
            except Exception as error:  # noqa: BLE001 -- sent back to the caller as a message
                message = str(error).encode()
                payload = struct.pack("<i", -len(message)) + message
            _write_all(write, payload)
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(pid, 0)
        out.write(payload)
        out.flush()


def _write_all(fd, data):
    import os
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Client:
    """The parent's handle on the synthesis server (started on first use, one per process)."""

    def __init__(self):
        import subprocess
        self.process = subprocess.Popen([sys.executable, "-m", "utils.speech_synth", "--serve"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(ROOT),
                                        start_new_session=True)

    def synth(self, text, voice, rate, pitch):
        import json
        import struct
        with _lock:
            self.process.stdin.write((json.dumps({"text": text, "voice": voice, "rate": rate, "pitch": pitch})
                                      + "\n").encode())
            self.process.stdin.flush()
            header = self.process.stdout.read(4)
            if len(header) != 4:
                raise RuntimeError("the espeak-ng synthesis process stopped unexpectedly")
            (n,) = struct.unpack("<i", header)
            data = self.process.stdout.read(abs(n) * (2 if n >= 0 else 1))
        if n < 0:
            raise ValueError(data.decode())
        return np.frombuffer(data, dtype="<i2").astype(np.int16)


@functools.lru_cache(maxsize=1)
def _engine():
    return _Client()


def _check_voice(voice):
    if not isinstance(voice, str) or not voice:
        raise ValueError(f"voice should be a non-empty string such as 'en-us+f3', got {voice!r}")
    language, _, variant = voice.partition("+")
    if variant and variant not in available_variants():
        raise ValueError(f"unknown espeak-ng voice variant {variant!r} in {voice!r}; "
                         f"available: {', '.join(available_variants()[:12])}, ...")


def trim_silence(audio, threshold=0.01, margin=0.01, sample_rate=SAMPLE_RATE):
    """`audio` without its leading and trailing samples quieter than `threshold` (keeping `margin` seconds)."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio[:0]
    pad = int(margin * sample_rate)
    return audio[max(loud[0] - pad, 0): loud[-1] + pad + 1]


@functools.lru_cache(maxsize=4096)
def _say_cached(text, voice, rate, pitch):
    samples = _engine().synth(text, voice, rate, pitch).astype(np.float32) / 32768.0
    audio = resample_poly(samples, SAMPLE_RATE // ENGINE_RATE, 1).astype(np.float32)
    audio = trim_silence(audio)
    audio.setflags(write=False)
    return audio


def say(text, voice="en-us", rate=175, pitch=50):
    """`text` spoken by espeak-ng: a float32 mono array in [-1, 1] at 44,100 Hz, silence trimmed at both ends.

    voice: a language ("en-us", "en-gb-x-rp", ...) optionally with a variant ("en-us+f3").
    rate: words per minute (80..450); pitch: 0..100 (50 is the voice's normal pitch).
    Deterministic: the same arguments always give the same samples (results are cached; the array is read-only).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text should be a non-empty string, got {text!r}")
    _check_voice(voice)
    if not 80 <= rate <= 450:
        raise ValueError(f"rate should be between 80 and 450 words per minute, got {rate}")
    if not 0 <= pitch <= 100:
        raise ValueError(f"pitch should be between 0 and 100, got {pitch}")
    audio = _say_cached(text, voice, int(rate), int(pitch))
    if audio.size == 0:
        raise ValueError(f"espeak-ng produced no sound for {text!r} with voice {voice!r}")
    return audio


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        _serve()
    else:
        sys.exit("usage: python -m utils.speech_synth --serve  (used internally by say())")
