"""Graded-cell tests for "Trigger Word Detection"."""
import numpy as np

from utils import td_utils as td
from utils.testing import GradedTestFailure, assert_close, assert_shape, assert_type, compare_model, passed


def _silence(ms=10_000):
    return td.to_segment(np.zeros(td.SAMPLE_RATE * ms // 1000, np.float32))


def _tone(ms, freq=440.0, level=0.5):
    t = np.arange(td.SAMPLE_RATE * ms // 1000) / td.SAMPLE_RATE
    return td.to_segment(level * np.sin(2 * np.pi * freq * t))


def get_random_time_segment_test(target):
    for segment_ms in (1, 500, 2000, 9000):
        for seed in range(5):
            np.random.seed(seed)
            got = target(segment_ms)
            np.random.seed(seed)
            expected = td.get_random_time_segment(segment_ms)
            if not (isinstance(got, tuple) and len(got) == 2):
                raise GradedTestFailure(f"get_random_time_segment should return a tuple (segment_start, segment_end), "
                                        f"got {got!r}")
            start, end = got
            if end - start != segment_ms - 1:
                raise GradedTestFailure(f"for segment_ms={segment_ms}, segment_end - segment_start should be "
                                        f"segment_ms - 1 = {segment_ms - 1} (the end is included), got {end - start}")
            if not 0 <= start <= 10_000 - segment_ms:
                raise GradedTestFailure(f"segment_start={start} does not leave room for {segment_ms} ms in 10,000 ms")
            if tuple(int(v) for v in got) != tuple(int(v) for v in expected):
                raise GradedTestFailure(f"with np.random.seed({seed}) and segment_ms={segment_ms}, expected "
                                        f"{expected}, got {got}: draw the start with one call to "
                                        f"np.random.randint(low=0, high=10000 - segment_ms)")
    passed()


def is_overlapping_test(target):
    cases = [((950, 1430), [(2000, 2550), (260, 949)], False),
             ((2305, 2950), [(824, 1532), (1900, 2305), (3424, 3656)], True),
             ((100, 200), [], False),
             ((100, 200), [(200, 300)], True),
             ((100, 200), [(0, 99)], False),
             ((100, 200), [(50, 250)], True),
             ((100, 200), [(120, 150)], True)]
    for segment, previous, expected in cases:
        got = target(segment, list(previous))
        if bool(got) is not expected:
            raise GradedTestFailure(f"is_overlapping({segment}, {previous}) should be {expected}, got {got} "
                                    f"(segments include both ends)")
    passed()


def insert_audio_clip_test(target):
    background, clip = _silence(), _tone(500)
    np.random.seed(3)
    previous = [(0, 2000)]
    result = target(background, clip, previous)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradedTestFailure("insert_audio_clip should return (new_background, segment_time)")
    new_background, segment_time = result
    np.random.seed(3)
    expected_previous = [(0, 2000)]
    expected_background, expected_time = td.insert_audio_clip(background, clip, expected_previous)
    if tuple(segment_time) != tuple(expected_time):
        raise GradedTestFailure(f"with np.random.seed(3), expected segment_time {expected_time}, got {segment_time}: "
                                f"draw with get_random_time_segment until the segment does not overlap")
    if previous != expected_previous:
        raise GradedTestFailure(f"previous_segments should become {expected_previous}, got {previous}: "
                                f"append the new segment to it")
    if len(new_background) != len(background):
        raise GradedTestFailure(f"the new background should last {len(background)} ms like the old one, "
                                f"got {len(new_background)} ms")
    assert_close(td.segment_to_array(new_background), td.segment_to_array(expected_background),
                 "the samples of the new background (the clip overlaid at segment_time[0])", atol=1e-4)
    # no free place left: the background comes back unchanged with (10000, 10000)
    full = [(0, 9999)]
    np.random.seed(0)
    unchanged, segment_time = target(background, clip, full)
    if tuple(segment_time) != (10_000, 10_000) or full != [(0, 9999)]:
        raise GradedTestFailure("when every place overlaps, return the background unchanged and (10000, 10000), "
                                f"and leave previous_segments alone; got {segment_time} and {full}")
    assert_close(td.segment_to_array(unchanged), td.segment_to_array(background), "the unchanged background")
    passed()


def insert_ones_test(target):
    Ty = 1375
    for ends in ([9700], [0], [5000, 2000], [9999], [10_000]):
        y = np.zeros((1, Ty))
        for end in ends:
            y = target(y, end)
        expected = np.zeros((1, Ty))
        for end in ends:
            expected = td.insert_ones(expected, end)
        assert_shape(y, (1, Ty), "y")
        assert_close(y, expected, f"y after insert_ones at {ends} ms")
    y = target(np.zeros((1, Ty)), 5000)
    if int(y.sum()) != 50 or y[0, 687] != 0 or y[0, 688] != 1 or y[0, 737] != 1 or y[0, 738] != 0:
        raise GradedTestFailure("an activate ending at 5000 ms should set exactly y[0, 688:738] to 1 "
                                "(the 50 steps after step int(5000 * Ty / 10000) = 687)")
    passed()


def _small_pieces():
    """Quick stand-ins for the raw pieces: tones for the words, soft noise for the background."""
    rng = np.random.RandomState(0)
    activates = [_tone(ms, freq) for ms, freq in ((500, 600.0), (700, 900.0), (400, 1200.0))]
    negatives = [_tone(ms, freq, 0.3) for ms, freq in ((600, 300.0), (450, 2000.0))]
    background = td.to_segment(0.05 * rng.standard_normal(td.N_SAMPLES))
    return background, activates, negatives


def create_training_example_test(target):
    background, activates, negatives = _small_pieces()
    for seed in (1, 18):
        np.random.seed(seed)
        result = target(background, activates, negatives, 1375)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise GradedTestFailure("create_training_example should return (x, y)")
        x, y = result
        np.random.seed(seed)
        expected_x, expected_y = td.create_training_example(background, activates, negatives, 1375)
        assert_type(x, np.ndarray, "x")
        assert_shape(x, (101, 5511), "x (the spectrogram: frequencies by time frames)")
        assert_shape(y, (1, 1375), "y")
        assert_close(y, expected_y, f"y (with np.random.seed({seed})); draw the activates first, then the negatives")
        assert_close(x, expected_x, f"x (with np.random.seed({seed})): lower the background by 20 dB, insert the "
                     "clips, normalise to -20 dBFS and take graph_spectrogram", atol=1e-4)
    passed()


def modelf_test(target):
    model = target(input_shape=(5511, 101))
    expected = [
        ["InputLayer", (None, 5511, 101), 0, {}],
        ["Conv1D", (None, 1375, 196), 15 * 101 * 196 + 196, {}],
        ["BatchNormalization", (None, 1375, 196), 4 * 196, {}],
        ["Activation", (None, 1375, 196), 0, {"activation": "relu"}],
        ["Dropout", (None, 1375, 196), 0, {}],
        ["GRU", (None, 1375, 128), 3 * 128 * (196 + 128 + 2), {"units": 128, "return_sequences": True}],
        ["Dropout", (None, 1375, 128), 0, {}],
        ["BatchNormalization", (None, 1375, 128), 4 * 128, {}],
        ["GRU", (None, 1375, 128), 3 * 128 * (128 + 128 + 2), {"units": 128, "return_sequences": True}],
        ["Dropout", (None, 1375, 128), 0, {}],
        ["BatchNormalization", (None, 1375, 128), 4 * 128, {}],
        ["Dropout", (None, 1375, 128), 0, {}],
        ["Dense", (None, 1375, 1), 129, {"activation": "sigmoid"}],
    ]
    conv = [layer for layer in model.layers if type(layer).__name__ == "Conv1D"]
    if conv and (conv[0].kernel_size != (15,) or conv[0].strides != (4,) or conv[0].filters != 196):
        raise GradedTestFailure(f"the Conv1D layer should have 196 filters, kernel_size 15 and strides 4; got "
                                f"{conv[0].filters}, {conv[0].kernel_size}, {conv[0].strides}")
    last = model.layers[-1]
    if type(last).__name__ == "TimeDistributed" and last.layer.get_config().get("activation") != "sigmoid":
        raise GradedTestFailure("the time-distributed Dense layer should use a sigmoid activation")
    compare_model(model, expected)
