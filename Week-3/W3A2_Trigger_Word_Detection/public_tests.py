"""Graded-cell tests for "Trigger Word Detection".

The functions under test draw from np.random, as the exercises ask. The tests check properties that every
correct answer has (segments inside the clip, no overlap, the clip overlaid where the segment says, ones
right after each "activate", ...), never one particular order of random draws. They seed np.random only so
that a run is repeatable, and put the notebook's random state back afterwards.
"""
import contextlib

import numpy as np

from utils import td_utils as td
from utils.testing import GradedTestFailure, assert_shape, assert_type, passed, summarize_model

CLIP_MS = 10_000


@contextlib.contextmanager
def _seeded(seed):
    """np.random seeded for a repeatable test; the caller's random state is restored afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _samples(ms, rng, level):
    return level * rng.standard_normal(td.SAMPLE_RATE * ms // 1000)


def _noise(ms=CLIP_MS, level=0.05, seed=0):
    return td.to_segment(_samples(ms, np.random.RandomState(seed), level))


def _tone(ms, freq=440.0, level=0.3):
    t = np.arange(td.SAMPLE_RATE * ms // 1000) / td.SAMPLE_RATE
    return td.to_segment(level * np.sin(2 * np.pi * freq * t) * np.hanning(t.size) ** 0.1)


def _pair(value, name):
    if not (isinstance(value, tuple) and len(value) == 2):
        raise GradedTestFailure(f"{name} should be a tuple of two values, got {value!r}")
    return value


def _whole(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise GradedTestFailure(f"{name} should be a whole number of ms (an int), got {value!r}: "
                                "draw it with np.random.randint")
    return int(value)


def _a(kind):
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _overlap(a, b):
    return a[0] <= b[1] and a[1] >= b[0]


# --- Exercise 1 ---------------------------------------------------------------------------------

def get_random_time_segment_test(target):
    with _seeded(0):
        for segment_ms in (1, 500, 2000, 9000, 9998):
            starts = []
            for _ in range(300):
                start, end = _pair(target(segment_ms), f"get_random_time_segment({segment_ms})")
                start = _whole(start, "segment_start")
                end = _whole(end, "segment_end")
                if end - start != segment_ms - 1:
                    raise GradedTestFailure(
                        f"for segment_ms={segment_ms} got ({start}, {end}): segment_end - segment_start should be "
                        f"segment_ms - 1 = {segment_ms - 1} (both ends are included), got {end - start}")
                if start < 0 or end > CLIP_MS - 1:
                    raise GradedTestFailure(
                        f"for segment_ms={segment_ms} got ({start}, {end}), which runs outside the clip (0 to 9999 "
                        f"ms): the latest start that fits is 10000 - segment_ms = {CLIP_MS - segment_ms}")
                starts.append(start)
            if segment_ms == 500 and (min(starts) > 1000 or max(starts) < 8500):
                raise GradedTestFailure(
                    f"over 300 draws for a 500 ms segment the starts lie between {min(starts)} and {max(starts)} "
                    "ms; they should be spread over the whole clip (from 0 up to 10000 - segment_ms)")
    print("get_random_time_segment: segments inside the clip, of the right length and spread over it")
    passed()


# --- Exercise 2 ---------------------------------------------------------------------------------

_OVERLAP_CASES = [  # (segment, previous segments, expected, what the case is about)
    ((100, 200), [], False, "there is nothing to overlap"),
    ((950, 1430), [(2000, 2550), (260, 949)], False, "a segment may start the ms after another ends"),
    ((100, 200), [(201, 300)], False, "a segment may end the ms before another starts"),
    ((100, 200), [(200, 300)], True, "the new segment ends exactly where a previous one starts (ends included)"),
    ((100, 200), [(0, 100)], True, "the new segment starts exactly where a previous one ends (ends included)"),
    ((2305, 2950), [(824, 1532), (1900, 2305), (3424, 3656)], True,
     "the new segment starts on the last ms of the second previous segment"),
    ((50, 150), [(100, 300)], True, "the new segment starts before a previous one and ends inside it"),
    ((150, 350), [(100, 300)], True, "the new segment starts inside a previous one"),
    ((100, 400), [(200, 300)], True, "the new segment contains a previous one"),
    ((220, 260), [(200, 300)], True, "the new segment lies inside a previous one"),
    ((500, 600), [(550, 700), (0, 10)], True, "the first previous segment overlaps, the last does not"),
    ((500, 600), [(0, 10), (900, 950)], False, "one previous segment lies before, one after"),
    ((500, 600), [(800, 900), (0, 499)], False, "one previous segment lies after, one just before"),
]


def is_overlapping_test(target):
    for segment, previous, expected, why in _OVERLAP_CASES:
        given = list(previous)
        got = target(segment, given)
        if given != previous:
            raise GradedTestFailure("is_overlapping should not change previous_segments")
        if not isinstance(got, (bool, np.bool_)):
            raise GradedTestFailure(f"is_overlapping should return True or False, got {got!r}")
        if bool(got) is not expected:
            raise GradedTestFailure(
                f"is_overlapping({segment}, {previous}) should be {expected}, got {got}: {why}. Two segments "
                "overlap when each starts no later than the other ends; check every previous segment")
    print(f"is_overlapping: {len(_OVERLAP_CASES)} cases right, ends included")
    passed()


# --- Exercise 3 ---------------------------------------------------------------------------------

def _check_insertion(result, background, clip, before, previous, context):
    """The checks every insertion shares; returns the segment_time (or None when not inserted)."""
    new_background, segment_time = _pair(result, "insert_audio_clip's result (new_background, segment_time)")
    start, end = _pair(tuple(segment_time) if isinstance(segment_time, list) else segment_time, "segment_time")
    start, end = _whole(start, "segment_start"), _whole(end, "segment_end")
    if not isinstance(new_background, td.AudioSegment) or len(new_background) != len(background):
        raise GradedTestFailure(f"new_background should be an AudioSegment of {len(background)} ms like the "
                                f"background, got {type(new_background).__name__} ({context})")
    got, old = td.segment_to_array(new_background), td.segment_to_array(background)
    if (start, end) == (CLIP_MS, CLIP_MS):
        if previous != before:
            raise GradedTestFailure(f"a clip that found no place should not be added to previous_segments: "
                                    f"{before} became {previous} ({context})")
        if not np.array_equal(got, old):
            raise GradedTestFailure(f"a clip that found no place should leave the background unchanged ({context})")
        return None
    if end - start != len(clip) - 1 or start < 0 or end > CLIP_MS - 1:
        raise GradedTestFailure(f"segment_time {(start, end)} should be a segment of the clip's length "
                                f"({len(clip)} ms) inside the 10,000 ms ({context})")
    if any(_overlap((start, end), other) for other in before):
        raise GradedTestFailure(f"segment_time {(start, end)} overlaps one of the previous segments {before}: "
                                f"draw again while is_overlapping says so ({context})")
    if previous != before + [(start, end)]:
        raise GradedTestFailure(f"previous_segments should become {before + [(start, end)]} (the new segment "
                                f"appended), got {previous} ({context})")
    expected = td.segment_to_array(background.overlay(clip, position=start))
    if not np.allclose(got, expected, atol=2 / 32768):
        first = int(round(start * td.SAMPLE_RATE / 1000))
        inside = slice(first + 100, first + 1000)
        if np.allclose(got[inside], td.segment_to_array(clip)[100:1000], atol=2 / 32768):
            raise GradedTestFailure("where the clip was inserted the background is gone: overlay the clip onto "
                                    f"the background (mix them), do not replace that part ({context})")
        raise GradedTestFailure(f"new_background should be the background with the clip overlaid at "
                                f"segment_time[0] = {start} ms ({context})")
    return start, end


def insert_audio_clip_test(target):
    background, clip = _noise(), _tone(500, 880.0)
    with _seeded(1):
        # a clip with 6 s free: it is placed, where segment_time says, and the segment is appended
        for trial in range(8):
            before = [(3000, 4999), (7000, 8999)]
            previous = list(before)
            _check_insertion(target(background, clip, previous), background, clip, before, previous,
                             f"previous segments {before}")
        # only the last 2 s are free: a single draw finds room about one time in six, 7 draws most of the time
        inserted = 0
        for trial in range(100):
            before = [(0, 7999)]
            previous = list(before)
            inserted += _check_insertion(target(background, clip, previous), background, clip, before, previous,
                                         f"previous segments {before}") is not None
        if inserted < 50:
            raise GradedTestFailure(
                f"with the first 8 s taken, only {inserted} of 100 clips of 500 ms found a place (about 70 "
                "expected): while the segment overlaps, draw a new one (up to 6 more times) and test that one")
        # no room at all: (10000, 10000), the background unchanged, previous_segments unchanged
        before = [(0, 9999)]
        previous = list(before)
        result = target(background, clip, previous)
        if _check_insertion(result, background, clip, before, previous, "the whole clip taken") is not None:
            raise GradedTestFailure("with every place taken the clip cannot go anywhere: return (10000, 10000)")
    print(f"insert_audio_clip: {inserted} of 100 clips placed in the last 2 free seconds; "
          "every placed clip overlaid where segment_time says")
    passed()


# --- Exercise 4 ---------------------------------------------------------------------------------

def _call_insert_ones(target, y, end_ms):
    Ty = y.shape[1]
    try:
        out = target(y, end_ms)
    except IndexError as error:
        raise GradedTestFailure(f"insert_ones(y, {end_ms}) with Ty = {Ty} indexed past the last step ({error}): "
                                "set labels only up to step Ty - 1, and take Ty from y's shape") from None
    assert_shape(out, (1, Ty), f"the y returned by insert_ones (Ty = {Ty})")
    return np.asarray(out, dtype=float)


def _label_window(Ty, end_ms):
    step = int(end_ms * Ty / 10000.0)
    return step, range(step + 1, min(step + 51, Ty))


def insert_ones_test(target):
    for Ty, ends in ((1375, [5000]), (1375, [0]), (1375, [9700]), (1375, [9999]), (1375, [10_000]),
                     (2000, [9200]), (500, [3000, 8000]), (1375, [2000, 2200]), (1375, [7000, 1000, 4000])):
        y, expected = np.zeros((1, Ty)), np.zeros(Ty)
        for end_ms in ends:
            y = _call_insert_ones(target, y, end_ms)
            step, window = _label_window(Ty, end_ms)
            expected[list(window)] = 1
            if not np.array_equal(y[0], expected):
                ones = np.flatnonzero(y[0] != expected)
                where = f"first difference at step {ones[0]} (got {y[0, ones[0]]:g}, expected {expected[ones[0]]:g})"
                lost = np.any((expected == 1) & (y[0] == 0) & (np.arange(Ty) < step))
                hint = ("the ones of the earlier activates are gone: add to the y you are given, do not start "
                        "from zeros" if lost else
                        f"an activate ending at {end_ms} ms ends on step int({end_ms} * Ty / 10000) = {step}; "
                        f"its labels are the {len(window)} steps {step + 1} to {step + len(window)}"
                        + (" (the 50 steps after it, stopping at the last step Ty - 1)" if len(window) < 50 else
                           " (the 50 steps after it)"))
                raise GradedTestFailure(f"y is wrong after insert_ones at {ends[:ends.index(end_ms) + 1]} ms "
                                        f"with Ty = {Ty}: {where}; {hint}")
    print("insert_ones: 50 ones right after each end, fewer at the last steps, earlier ones kept")
    passed()


# --- Exercise 5 ---------------------------------------------------------------------------------

def _pieces():
    """Stand-ins for the raw pieces: tones of different lengths for the words, soft noise for the background."""
    activates = [_tone(ms, freq) for ms, freq in ((600, 600.0), (700, 750.0), (800, 900.0), (900, 1050.0),
                                                  (1000, 1200.0))]
    negatives = [_tone(ms, freq, 0.2) for ms, freq in ((800, 300.0), (1000, 2000.0))]
    return _noise(level=0.08, seed=3), activates, negatives


def _mix(background, clips, lower_db=20.0, normalise=True):
    mix = background - lower_db
    for clip, start in clips:
        mix = mix.overlay(clip, position=start)
    return td.match_target_amplitude(mix, -20.0) if normalise else mix


def _check_example(x, y, clips, background, Ty, seed):
    context = f"(with np.random.seed({seed}))"
    assert_type(x, np.ndarray, "x")
    assert_shape(x, (101, 5511), "x (the spectrogram: 101 frequencies by 5511 time frames)")
    assert_shape(y, (1, Ty), f"y (Ty = {Ty})")
    kinds = [clip.kind for clip in clips]
    if kinds.count("activate") > 4 or kinds.count("negative") > 2 or "other" in kinds:
        raise GradedTestFailure(f"{kinds.count('activate')} activates and {kinds.count('negative')} negatives were "
                                f"inserted {context}: at most 4 activates and 2 negatives, nothing else")
    for i, clip in enumerate(clips):
        if clip.start < 0 or clip.end > CLIP_MS - 1:
            raise GradedTestFailure(f"a clip was placed at {clip.start}-{clip.end} ms, outside the clip {context}")
        for other in clips[:i]:
            if _overlap((clip.start, clip.end), (other.start, other.end)):
                raise GradedTestFailure(
                    f"a {clip.kind} at {clip.start}-{clip.end} ms overlaps {_a(other.kind)} at {other.start}-"
                    f"{other.end} ms {context}: keep one previous_segments list for all the clips of the example, "
                    "activates and negatives")
    expected_y = np.zeros(Ty)
    for clip in clips:
        if clip.kind == "activate":
            expected_y[list(_label_window(Ty, clip.end)[1])] = 1
    if not np.array_equal(np.asarray(y, dtype=float)[0], expected_y):
        negative_steps = [list(_label_window(Ty, clip.end)[1]) for clip in clips if clip.kind == "negative"]
        if any(np.all(y[0][steps] == 1) for steps in negative_steps if steps):
            raise GradedTestFailure(f"y has ones after a negative word {context}: only an activate gets labels")
        raise GradedTestFailure(
            f"y should be 1 for the 50 steps after the end of each inserted activate (ends at "
            f"{td.activate_ends(clips)} ms) and 0 elsewhere {context}: call insert_ones with each segment_end "
            "that is inside the clip")
    placed = [(clip.clip, clip.start) for clip in clips]
    expected_x = td.graph_spectrogram(_mix(background, placed))
    if not np.allclose(x, expected_x, atol=1e-3):
        if np.allclose(x, td.graph_spectrogram(_mix(background, placed, lower_db=0.0)), atol=1e-3):
            raise GradedTestFailure(f"x is the spectrogram of a mix whose background was not lowered by 20 dB "
                                    f"{context}: start with background - 20")
        if np.allclose(x, td.graph_spectrogram(_mix(background, placed, normalise=False)), atol=1e-3):
            raise GradedTestFailure(f"x is the spectrogram of the mix before its level was set {context}: "
                                    "bring it to -20 dBFS with match_target_amplitude first")
        raise GradedTestFailure(f"x should be graph_spectrogram of the mix {context}: the background lowered by "
                                "20 dB, the clips overlaid, the whole brought to -20 dBFS with match_target_amplitude")


def create_training_example_test(target):
    background, activates, negatives = _pieces()
    n_activates, n_negatives, used = set(), set(), set()

    def checked(*args):
        return _pair(target(*args), "create_training_example's result (x, y)")

    for seed in range(30):
        Ty = 1375 if seed else 700  # once with another Ty: y follows the argument
        with _seeded(seed):
            x, y, _, clips = td.trace_example(checked, background, activates, negatives, Ty)
        _check_example(x, y, clips, background, Ty, seed)
        n_activates.add(sum(clip.kind == "activate" for clip in clips))
        n_negatives.add(sum(clip.kind == "negative" for clip in clips))
        used |= {id(clip.clip) for clip in clips}
    if n_activates != {0, 1, 2, 3, 4}:
        raise GradedTestFailure(f"over 30 examples the number of activates took the values {sorted(n_activates)}; "
                                "it should be drawn from 0 to 4 (np.random.randint(0, 5))")
    if n_negatives != {0, 1, 2}:
        raise GradedTestFailure(f"over 30 examples the number of negatives took the values {sorted(n_negatives)}; "
                                "it should be drawn from 0 to 2 (np.random.randint(0, 3))")
    if used != {id(clip) for clip in activates + negatives}:
        raise GradedTestFailure("over 30 examples some of the activates or negatives were never chosen: "
                                "pick each clip at random from its whole list")
    print("create_training_example: 30 examples with 0-4 activates and 0-2 negatives, no overlaps, "
          "labels after each activate, x the spectrogram of the mix")
    passed()


# --- Exercise 6 ---------------------------------------------------------------------------------

_LAYERS = [  # class, output shape for Tx = 5511, parameters, key configuration
    ["InputLayer", (None, 5511, 101), 0, {}],
    ["Conv1D", (None, 1375, 196), 15 * 101 * 196 + 196, {}],
    ["BatchNormalization", (None, 1375, 196), 4 * 196, {}],
    ["Activation", (None, 1375, 196), 0, {"activation": "relu"}],
    ["Dropout", (None, 1375, 196), 0, {"rate": 0.2}],
    ["GRU", (None, 1375, 128), 3 * 128 * (196 + 128 + 2), {"units": 128, "return_sequences": True}],
    ["Dropout", (None, 1375, 128), 0, {"rate": 0.2}],
    ["BatchNormalization", (None, 1375, 128), 4 * 128, {}],
    ["GRU", (None, 1375, 128), 3 * 128 * (128 + 128 + 2), {"units": 128, "return_sequences": True}],
    ["Dropout", (None, 1375, 128), 0, {"rate": 0.2}],
    ["BatchNormalization", (None, 1375, 128), 4 * 128, {}],
    ["Dropout", (None, 1375, 128), 0, {"rate": 0.2}],
    ["Dense", (None, 1375, 1), 129, {"activation": "sigmoid"}],
]


def _compare_layers(model):
    actual = summarize_model(model)
    names = [row[0] for row in actual]
    if names and names[-1] == "TimeDistributed":
        raise GradedTestFailure("use a plain Dense(1, activation='sigmoid') as the last layer: on the 3-D tensor it "
                                "already acts on every step, and Keras 3's TimeDistributed wrapper loops over the "
                                "1375 steps (minutes to build, over 20 GB to train; see the note above)")
    if len(actual) != len(_LAYERS):
        raise GradedTestFailure(f"the model has {len(actual)} layers, expected {len(_LAYERS)}: {names} vs "
                                f"{[row[0] for row in _LAYERS]}")
    for i, (got, want) in enumerate(zip(actual, _LAYERS)):
        for field, g, w in zip(("layer class", "output shape", "parameter count"), got, want):
            if g != w:
                hint = (" (a GRU that feeds a per-step layer needs return_sequences=True)"
                        if field == "output shape" and got[0] in ("GRU", "Dense") else "")
                raise GradedTestFailure(f"layer {i} ({got[0]}): {field} is {g}, expected {w}{hint}")
        for key, value in want[3].items():
            if got[3].get(key) != value:
                raise GradedTestFailure(f"layer {i} ({got[0]}): {key} is {got[3].get(key)!r}, expected {value!r}")
    conv = model.layers[1]
    if conv.kernel_size != (15,) or conv.strides != (4,) or conv.get_config().get("activation") not in ("linear", None):
        raise GradedTestFailure(f"the Conv1D layer should have kernel_size 15, strides 4 and no activation of its "
                                f"own (the ReLU comes after the batch norm); got {conv.kernel_size}, {conv.strides}, "
                                f"{conv.get_config().get('activation')}")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _gru(x, kernel, recurrent, bias):
    """Keras' GRU (reset gate after the matrix product, gates in the order z, r, h) in NumPy, all steps."""
    units = recurrent.shape[0]
    h, out = np.zeros((x.shape[0], units)), []
    for t in range(x.shape[1]):
        mx, mh = x[:, t] @ kernel + bias[0], h @ recurrent + bias[1]
        z = _sigmoid(mx[:, :units] + mh[:, :units])
        r = _sigmoid(mx[:, units:2 * units] + mh[:, units:2 * units])
        candidate = np.tanh(mx[:, 2 * units:] + r * mh[:, 2 * units:])
        h = z * h + (1 - z) * candidate
        out.append(h)
    return np.stack(out, axis=1)


def _check_connections(target):
    """Give a short model known weights and compare its output with the chain computed in NumPy."""
    rng = np.random.RandomState(7)
    model = target(input_shape=(63, 101))
    layers = model.layers
    if [type(layer).__name__ for layer in layers] != [row[0] for row in _LAYERS]:
        raise GradedTestFailure("modelf(input_shape=(63, 101)) builds other layers than modelf((5511, 101)): "
                                "build every layer from input_shape")
    weights = {}
    for i, layer in enumerate(layers):
        values = []
        for w in layer.get_weights():
            if type(layer).__name__ == "BatchNormalization":
                values.append(None)
            else:
                scale = 3.0 if type(layer).__name__ == "Dense" else 1.0  # outputs spread over (0, 1)
                values.append(scale * rng.standard_normal(w.shape) / np.sqrt(w.shape[0] * (w.shape[1] if w.ndim == 3 else 1))
                              if w.ndim > 1 else 0.3 * rng.standard_normal(w.shape))
        if type(layer).__name__ == "BatchNormalization":
            n = layer.get_weights()[0].shape[0]
            values = [rng.uniform(0.5, 1.5, n), 0.3 * rng.standard_normal(n), 0.3 * rng.standard_normal(n),
                      rng.uniform(0.5, 2.0, n)]
        if type(layer).__name__ == "GRU":
            values[2] = 0.3 * rng.standard_normal(values[2].shape)
        layer.set_weights([v.astype(np.float32) for v in values])
        weights[i] = values
    x = rng.standard_normal((2, 63, 101))

    def batch_norm(a, i):
        gamma, beta, mean, var = weights[i]
        return gamma * (a - mean) / np.sqrt(var + layers[i].epsilon) + beta

    kernel, b = weights[1]
    a = np.stack([np.einsum("mkf,kfc->mc", x[:, 4 * t:4 * t + 15], kernel) for t in range(13)], axis=1) + b
    a = np.maximum(batch_norm(a, 2), 0)
    a = batch_norm(_gru(a, *weights[5]), 7)
    a = batch_norm(_gru(a, *weights[8]), 10)
    expected = _sigmoid(a @ weights[12][0] + weights[12][1])
    got = np.asarray(model(x.astype(np.float32), training=False))
    if got.shape != expected.shape or not np.allclose(got, expected, atol=2e-4):
        raise GradedTestFailure(
            "with known weights, the model's output differs from Conv1D -> BatchNorm -> ReLU -> GRU -> BatchNorm -> "
            "GRU -> BatchNorm -> Dense(sigmoid) computed in NumPy (dropout does nothing at inference): check that "
            "each layer takes the output of the one before, and the GRUs' options (forward in time, default "
            "activations)")


def modelf_test(target):
    _compare_layers(target(input_shape=(5511, 101)))
    _check_connections(target)
    print("modelf: 13 layers in order, and the output of known weights matches a NumPy computation")
    passed()
