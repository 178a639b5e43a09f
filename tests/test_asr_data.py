"""The CTC lab's data and recogniser helpers: alphabet, synthetic utterances, own files, batches, shipped weights."""
import numpy as np
import pytest
import soundfile

from utils import asr_data, td_utils


def test_text_and_ids_round_trip_with_blank_zero():
    ids = asr_data.text_to_ids("Don't call me")
    assert ids.dtype == np.int32 and ids.min() >= 1 and ids.max() <= 28
    assert asr_data.ids_to_text(ids) == "don't call me"
    assert asr_data.ids_to_text([0, 5, 0, 0, 1]) == "c "   # 1 is the space, 3 the "a"
    assert asr_data.N_SYMBOLS == len(asr_data.ALPHABET) + 1 == 29


def test_characters_outside_the_alphabet_are_refused():
    with pytest.raises(ValueError, match="alphabet"):
        asr_data.text_to_ids("call 417")


def test_mel_filterbank_matches_tensorflow():
    import tensorflow as tf
    ours = asr_data.mel_filterbank(40, 512, 16000)
    theirs = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 7600.0).numpy()
    np.testing.assert_allclose(ours, theirs, atol=2e-5)


def test_every_request_is_in_the_alphabet_and_long_ones_are_longer():
    rng = np.random.RandomState(0)
    texts = [asr_data.random_text(rng) for _ in range(500)]
    longs = [asr_data.random_text(rng, long=True) for _ in range(100)]
    for text in texts + longs:
        asr_data.text_to_ids(text)
    assert max(len(t.split()) for t in texts if t.startswith(("call", "dial"))) < min(len(t.split()) for t in longs)
    assert len(set(texts)) > 200


def test_utterances_are_deterministic_and_the_test_split_uses_other_voices():
    a1, t1, n1 = asr_data.make_utterances(3, "train")
    a2, t2, n2 = asr_data.make_utterances(3, "train")
    assert t1 == t2 and n1 == n2 and all(np.array_equal(x, y) for x, y in zip(a1, a2))
    assert all(x.dtype == np.float32 and np.abs(x).max() <= 1.0 and x.size > 0.5 * asr_data.SAMPLE_RATE for x in a1)
    _, _, notes = asr_data.make_utterances(20, "test")
    test_languages = td_utils.VOICES["dev"][0]
    assert all(note.split("+")[0] in test_languages for note in notes)
    assert not set(td_utils.VOICES["dev"][0]) & set(td_utils.VOICES["train"][0])
    with pytest.raises(ValueError, match="split"):
        asr_data.make_utterances(1, "dev")


def test_own_recordings_are_resampled_or_refused_clearly(tmp_path):
    audio = asr_data.speak("call four one seven")
    stereo_44k = np.stack([audio, audio], axis=1)
    from scipy.signal import resample_poly
    soundfile.write(tmp_path / "ok.flac", resample_poly(stereo_44k, 441, 160, axis=0), 44100)
    loaded = asr_data.load_speech_file(tmp_path / "ok.flac")
    assert loaded.ndim == 1 and abs(loaded.size - audio.size) <= 2
    soundfile.write(tmp_path / "phone.wav", audio[::2], 8000)
    with pytest.raises(ValueError, match="8,000 Hz"):
        asr_data.load_speech_file(tmp_path / "phone.wav")
    soundfile.write(tmp_path / "silence.wav", np.zeros(16000, np.float32), 16000)
    with pytest.raises(ValueError, match="silent"):
        asr_data.load_speech_file(tmp_path / "silence.wav")
    soundfile.write(tmp_path / "long.wav", np.tile(audio, 20), 16000)
    with pytest.raises(ValueError, match="at most 15 s"):
        asr_data.load_speech_file(tmp_path / "long.wav")
    (tmp_path / "notes.txt").write_text("not audio")
    with pytest.raises(ValueError, match="cannot read"):
        asr_data.load_speech_file(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError):
        asr_data.load_speech_file(tmp_path / "missing.wav")
