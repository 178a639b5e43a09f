"""Tests of the trigger word helpers (utils.td_utils): spectrogram, data made by the notebook's graded functions,
metrics, own audio."""
import hashlib

import numpy as np
import pytest
import soundfile

from utils import td_utils as td
from utils.notebook_tools import ROOT, load_definitions

NOTEBOOK = ROOT / "Week-3/W3A2_Trigger_Word_Detection/Trigger_Word_Detection.ipynb"


@pytest.fixture(scope="module")
def notebook():
    return load_definitions(NOTEBOOK)


@pytest.fixture(scope="module")
def small_pieces():
    return td.load_raw_audio("train", n_activates=6, n_negatives=6, n_backgrounds=2, seed=5)


def tone(freq, seconds=10.0, rate=td.SAMPLE_RATE, level=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_spectrogram_has_the_course_shape_and_finds_a_tone():
    spec = td.graph_spectrogram(tone(5000.0))
    assert spec.shape == (101, 5511) == (td.N_FREQ, td.Tx) and spec.dtype == np.float32
    assert int(np.argmax(spec.mean(axis=1))) == round(5000.0 / (td.SAMPLE_RATE / td.NFFT))
    assert -3.0 <= spec.min() and spec.max() <= 3.0
    assert td.graph_spectrogram(np.zeros(td.N_SAMPLES)).max() == -3.0  # silence sits at the floor


def test_spectrogram_of_a_segment_and_of_a_wav_file_agree(tmp_path):
    audio = tone(1000.0, level=0.25)
    segment = td.to_segment(audio)
    path = tmp_path / "tone.wav"
    segment.export(path, format="wav")
    np.testing.assert_allclose(td.graph_spectrogram(segment), td.graph_spectrogram(path), atol=1e-5)
    rate, data = td.get_wav_info(path)
    assert rate == 44100 and data.shape == (td.N_SAMPLES,)
    with pytest.raises(ValueError, match="1-D"):
        td.graph_spectrogram(np.zeros((10, 2)))


def test_match_target_amplitude_sets_the_loudness():
    segment = td.to_segment(tone(300.0, 1.0, level=0.1))
    assert abs(td.match_target_amplitude(segment, -20.0).dBFS + 20.0) < 0.05


@pytest.mark.parametrize("kind, low_minus_high", [("brown", True), ("pink", True), ("blue", False)])
def test_coloured_noises_tilt_the_right_way(kind, low_minus_high):
    noise = td.make_background(kind, np.random.RandomState(0))
    assert noise.shape == (td.N_SAMPLES,) and abs(np.sqrt(np.mean(noise ** 2)) - 1) < 1e-6
    spec = td.graph_spectrogram(noise / 6).mean(axis=1)
    assert (spec[2:10].mean() > spec[60:100].mean()) == low_minus_high


@pytest.mark.parametrize("kind", ["white", "hum50", "hum60", "chords", "melody"])
def test_backgrounds_are_ten_seconds_with_unit_rms(kind):
    out = td.make_background(kind, np.random.RandomState(1))
    assert out.shape == (td.N_SAMPLES,) and np.isfinite(out).all() and abs(np.sqrt(np.mean(out ** 2)) - 1) < 1e-6
    with pytest.raises(ValueError, match="unknown background kind"):
        td.make_background("thunder", np.random.RandomState(1))


def test_hum_has_its_fundamental():
    spec = np.abs(np.fft.rfft(td.hum(np.random.RandomState(0), 50.0)))
    freqs = np.fft.rfftfreq(td.N_SAMPLES, 1 / td.SAMPLE_RATE)
    assert abs(freqs[np.argmax(spec[freqs < 500])] % 50.0) < 1.0 or abs(freqs[np.argmax(spec[freqs < 500])] % 50 - 50) < 1


def test_dev_split_shares_no_voice_variant_or_background_with_training():
    train_langs, train_variants = td.VOICES["train"]
    dev_langs, dev_variants = td.VOICES["dev"]
    assert not set(train_langs) & set(dev_langs) and not set(train_variants) & set(dev_variants)
    assert not set(td.BACKGROUND_KINDS["train"]) & set(td.BACKGROUND_KINDS["dev"])
    with pytest.raises(ValueError, match="split"):
        td.load_raw_audio("test")


def test_raw_pieces_are_deterministic(small_pieces):
    again = td.load_raw_audio("train", n_activates=6, n_negatives=6, n_backgrounds=2, seed=5)
    for first, second in zip(small_pieces, again):
        assert [s.raw_data for s in first] == [s.raw_data for s in second]
    activates, negatives, backgrounds = small_pieces
    assert all(300 < len(a) < 1500 for a in activates) and all(len(b) == 10_000 for b in backgrounds)


def test_labels_follow_the_inserted_activates(small_pieces, notebook):
    np.random.seed(4)
    x, y, audio, clips = td.trace_example(notebook.create_training_example, small_pieces[2][0], small_pieces[0],
                                          small_pieces[1], td.Ty)
    assert x.shape == (101, 5511) and y.shape == (1, 1375) and len(audio) == 10_000
    ends = td.activate_ends(clips)
    assert ends and all(clip.kind in ("activate", "negative") for clip in clips)
    expected = np.zeros((1, td.Ty))
    for end in ends:
        expected[0, td.end_step(end) + 1: td.end_step(end) + 1 + td.LABEL_STEPS] = 1
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(td.graph_spectrogram(audio), x)  # the audio is the mix x was taken of
    assert abs(audio.dBFS + 20.0) < 1.0  # -20 dBFS, up to the few samples a loud word clips


def test_watching_an_example_changes_no_random_draw(small_pieces, notebook):
    background, activates, negatives = small_pieces[2][1], small_pieces[0], small_pieces[1]
    for seed in (0, 18, 123):
        np.random.seed(seed)
        x1, y1 = notebook.create_training_example(background, activates, negatives, td.Ty)
        np.random.seed(seed)
        x2, y2, _, _ = td.trace_example(notebook.create_training_example, background, activates, negatives, td.Ty)
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)


def test_dataset_is_the_one_the_shipped_model_was_trained_on(small_pieces):
    """The draws (where each word went) are exact; the float16 spectrograms are compared by their sums, because
    another CPU's FFT rounds a few of their values the other way (a hash of their bytes held on one machine only)."""
    np.random.seed(99)
    state = np.random.get_state()[1].copy()
    X, Y, ends = td.make_dataset(3, 7, "train", pieces=small_pieces)
    assert ends == [[4451, 5538], [3198, 8428], [4554, 7327]]
    assert hashlib.sha256(np.ascontiguousarray(Y, dtype=np.float32).tobytes()).hexdigest()[:16] == "2192d53bed9f9030"
    np.testing.assert_allclose(X.astype(np.float64).sum(axis=(1, 2)), [393220.34, 238291.88, 108767.53], rtol=1e-5)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # np.random is put back


def test_utils_keeps_no_copy_of_a_graded_function():
    from utils.notebook_tools import graded_functions
    import nbformat
    graded = graded_functions(nbformat.read(NOTEBOOK, as_version=4))
    assert "create_training_example" in graded
    copies = [name for name in graded if hasattr(td, name)]
    assert not copies, f"utils/td_utils.py defines graded functions of the notebook: {copies}"


def test_make_dataset_is_deterministic(small_pieces):
    X1, Y1, ends1 = td.make_dataset(3, 7, "train", pieces=small_pieces)
    X2, Y2, ends2 = td.make_dataset(3, 7, "train", pieces=small_pieces)
    assert X1.shape == (3, 5511, 101) and X1.dtype == np.float16 and Y1.shape == (3, 1375, 1)
    np.testing.assert_array_equal(X1, X2)
    assert ends1 == ends2 and td.dataset_fingerprint(X1, Y1) == td.dataset_fingerprint(X2, Y2)


def test_detect_events_finds_separated_peaks():
    probs = np.zeros(td.Ty)
    probs[100:150] = 0.9
    probs[120] = 0.95
    probs[400:450] = 0.7
    probs[460:470] = 0.8  # within min_gap of the previous peak: the higher one wins
    probs[1370:] = 0.99   # a peak at the very end counts too
    # a flat top counts once, at its middle
    np.testing.assert_array_equal(td.detect_events(probs, 0.5), [120, 464, 1372])
    assert td.detect_events(probs, 0.96).size == 1 and td.detect_events(np.zeros(td.Ty)).size == 0
    assert td.detect_events(probs[:, None], 0.5).tolist() == [120, 464, 1372]


def test_event_scores_count_hits_misses_and_false_alarms():
    probs = np.zeros((2, td.Ty))
    end = td.end_step(5000)
    probs[0, end + 20] = 0.9          # a hit
    probs[0, end + 300] = 0.9         # a false alarm
    probs[1, td.end_step(2000) + td.TOLERANCE_AFTER + 1] = 0.9  # just too late: a false alarm and a miss
    scores = td.event_scores(probs, [[5000], [2000]], threshold=0.5)
    assert (scores["tp"], scores["fp"], scores["fn"]) == (1, 2, 1)
    assert scores["precision"] == pytest.approx(1 / 3) and scores["recall"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx(0.4)
    zeros = td.event_scores(np.zeros((2, td.Ty)), [[5000], [2000]])
    assert zeros["f1"] == 0.0 and zeros["recall"] == 0.0
    with pytest.raises(ValueError, match="clips"):
        td.event_scores(probs, [[5000]])


def test_frame_accuracy_of_all_zeros_is_high_but_meaningless():
    Y = np.zeros((1, td.Ty, 1))
    Y[0, 100:150] = 1
    assert td.frame_accuracy(np.zeros((1, td.Ty)), Y) == pytest.approx(1 - 50 / td.Ty)


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3"])
@pytest.mark.parametrize("rate, channels, seconds", [(16000, 1, 3.0), (48000, 2, 12.0), (44100, 2, 10.0)])
def test_own_audio_any_format_rate_channels_and_length(tmp_path, capsys, fmt, rate, channels, seconds):
    t = np.arange(int(seconds * rate)) / rate
    left = 0.3 * np.sin(2 * np.pi * 1000 * t)
    data = np.stack([left, left], axis=1) if channels == 2 else left
    path = tmp_path / f"clip.{fmt}"
    soundfile.write(str(path), data.astype(np.float32), rate)
    audio = td.load_audio_file(path)
    assert audio.shape == (td.N_SAMPLES,) and audio.dtype == np.float32
    message = capsys.readouterr().out
    if seconds < 10:
        assert "padded" in message and np.abs(audio[int(3.2 * td.SAMPLE_RATE):]).max() < 1e-3
    elif seconds > 10:
        assert "trimmed" in message
    spectrum = np.abs(np.fft.rfft(audio[: td.SAMPLE_RATE]))
    assert abs(np.argmax(spectrum) - 1000) <= 2  # the tone is still at 1 kHz after resampling (1 Hz per bin)
    x = td.audio_to_model_input(path, verbose=False)
    assert x.shape == (1, 5511, 101)


def test_unreadable_and_missing_files_give_clear_errors(tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio")
    with pytest.raises(ValueError, match="cannot read notes.wav"):
        td.load_audio_file(bad)
    with pytest.raises(FileNotFoundError, match="no such audio file"):
        td.load_audio_file(tmp_path / "missing.flac")
    empty = tmp_path / "empty.wav"
    soundfile.write(str(empty), np.zeros(0, np.float32), 16000)
    with pytest.raises(ValueError, match="no audio samples"):
        td.load_audio_file(empty)
