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


def test_warp_scales_every_frequency_and_keeps_the_duration():
    def centroid(audio):
        power = np.abs(np.fft.rfft(audio)) ** 2
        return (power * np.fft.rfftfreq(audio.size, 1 / asr_data.SAMPLE_RATE)).sum() / power.sum()
    plain = asr_data.speak("call four one seven", "en-us+m1", 160, 50)
    for warp in (0.85, 1.5):
        warped = asr_data.speak("call four one seven", "en-us+m1", 160, 50, warp=warp)
        assert abs(warped.size - plain.size) < 0.05 * plain.size   # the rate is compensated
        assert centroid(warped) / centroid(plain) == pytest.approx(warp, rel=0.06)
    with pytest.raises(ValueError, match="warp"):
        asr_data.speak("call", warp=3.0)


def test_only_training_requests_are_warped():
    assert asr_data.WARPS["val"] is None and asr_data.WARPS["test"] is None
    _, _, notes = asr_data.make_utterances(20, "train")
    warps = [float(note.split("frequencies x")[1].split(",")[0]) for note in notes]
    assert min(warps) >= 0.85 and max(warps) <= 1.5 and max(warps) - min(warps) > 0.3
    for split in ("val", "test"):
        assert not any("frequencies" in note for note in asr_data.make_utterances(5, split)[2])


# --- the trainer's pieces (utils.ctc_recogniser) ------------------------------------------------------------------

def test_mask_bands_hides_adjacent_bands_with_the_utterance_mean():
    from utils.ctc_recogniser import mask_bands
    rng = np.random.RandomState(0)
    feats = rng.randn(50, 40).astype(np.float32)
    original = feats.copy()
    widths = []
    for _ in range(30):
        masked = mask_bands(feats, rng, max_width=6)
        changed = np.flatnonzero((masked != feats).any(axis=0))
        widths.append(changed.size)
        if changed.size:
            assert np.array_equal(changed, np.arange(changed[0], changed[-1] + 1))   # adjacent bands
            assert np.allclose(masked[:, changed], feats.mean())
    assert max(widths) <= 6 and min(widths) == 0 and len(set(widths)) > 3
    assert np.array_equal(feats, original)   # the input is untouched


def test_pad_batch_pads_frames_with_silence_and_labels_with_the_blank():
    from utils.ctc_recogniser import SILENCE, pad_batch
    feats = [np.ones((3, 40), np.float32), np.ones((5, 40), np.float32)]
    x, y = pad_batch(feats, ["ab", "call"])
    assert x.shape == (2, 5, 40) and np.all(x[0, 3:] == SILENCE) and np.all(x[1] == 1)
    assert y.tolist() == [list(asr_data.text_to_ids("ab")) + [0, 0], list(asr_data.text_to_ids("call"))]


def test_batches_cover_every_utterance_once_per_epoch_in_similar_lengths():
    from utils.ctc_recogniser import Batches
    rng = np.random.RandomState(1)
    lengths = rng.randint(20, 200, size=70)
    feats = [np.full((n, 40), float(i), np.float32) for i, n in enumerate(lengths)]
    batches = Batches(feats, ["a"] * 70, batch_size=16, seed=0)
    seen = []
    for i in range(len(batches)):
        x, _ = batches[i]
        ids = [int(row[0, 0]) for row in x]
        seen += ids
        assert x.shape[1] == max(lengths[ids])
    assert sorted(seen) == list(range(70)) and len(batches) == 5
    spread = max(lengths[j] for j in batches.batches[0]) - min(lengths[j] for j in batches.batches[0])
    assert spread < 0.5 * (lengths.max() - lengths.min())


def test_shipped_recogniser_loads_into_the_notebook_model_and_has_its_record():
    from utils import ctc_recogniser
    record = ctc_recogniser.shipped_record()
    assert record["parameters"] == 528_366 and record["data"]["dataset_version"] == asr_data.DATASET_VERSION
    assert record["training"]["epochs_run"] == len(record["training"]["log"]) >= 1
    model = ctc_recogniser.load_shipped_model()
    assert model.count_params() == record["parameters"]
    logits = model(np.zeros((1, 31, 40), np.float32), training=False)
    assert tuple(logits.shape) == (1, 16, asr_data.N_SYMBOLS)
