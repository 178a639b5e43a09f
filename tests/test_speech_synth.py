"""Tests of the espeak-ng wrapper (utils.speech_synth): deterministic, right rate, voices differ, clear errors."""
import subprocess
import sys

import numpy as np
import pytest

from utils import speech_synth as ss


def test_say_returns_trimmed_float_audio_at_44100_hz():
    audio = ss.say("activate", "en-us+f3", rate=160, pitch=50)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert ss.SAMPLE_RATE == 44100
    assert 0.3 < audio.size / ss.SAMPLE_RATE < 1.5  # "activate" lasts well under a second and a half
    assert 0.05 < np.abs(audio).max() <= 1.0
    assert np.abs(audio[:20]).max() < 0.05 or np.abs(audio[:500]).max() > 0.01  # silence trimmed, sound kept
    assert not audio.flags.writeable


def test_same_arguments_give_the_same_samples_whatever_was_said_before():
    first = np.array(ss.say("captivate", "en-gb-x-rp+m3", 180, 40))
    ss.say("hello there", "en-us+klatt")
    ss._say_cached.cache_clear()
    again = ss.say("captivate", "en-gb-x-rp+m3", 180, 40)
    np.testing.assert_array_equal(first, again)


def test_a_fresh_process_gives_the_same_samples():
    code = ("import hashlib; from utils.speech_synth import say; "
            "print(hashlib.sha256(say('activate', 'en-029+f2', 150, 60).tobytes()).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    import hashlib
    assert out == hashlib.sha256(ss.say("activate", "en-029+f2", 150, 60).tobytes()).hexdigest()


def test_voices_rates_and_pitches_change_the_sound():
    base = ss.say("activate", "en-us", 175, 50)
    for other in (ss.say("activate", "en-us+f3", 175, 50), ss.say("activate", "en-gb-scotland", 175, 50),
                  ss.say("activate", "en-us", 250, 50), ss.say("activate", "en-us", 175, 90)):
        assert other.size != base.size or not np.allclose(other, base)
    assert ss.say("activate", "en-us", 250, 50).size < ss.say("activate", "en-us", 120, 50).size


def test_variants_are_listed_and_the_project_uses_existing_ones():
    variants = ss.available_variants()
    assert "f3" in variants and "klatt" in variants
    assert set(ss.VARIANTS) <= set(variants)


@pytest.mark.parametrize("kwargs, mentions", [
    ({"voice": "xx-nonexistent"}, "unknown espeak-ng voice"),
    ({"voice": "en-us+nosuchvariant"}, "variant"),
    ({"voice": ""}, "voice"),
    ({"rate": 10}, "rate"),
    ({"pitch": 200}, "pitch"),
])
def test_bad_arguments_give_clear_errors(kwargs, mentions):
    with pytest.raises(ValueError, match=mentions):
        ss.say("activate", **kwargs)


def test_empty_text_is_refused():
    with pytest.raises(ValueError, match="non-empty"):
        ss.say("   ")
