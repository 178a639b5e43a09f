"""Graded-cell tests for "Speech Recognition with CTC".

Every reference here is computed without the notebook's code and by another method: a frame-by-frame loop for
the features, a sum over every one of the V^T paths for the loss and the decoder (tiny inputs), a rescaled
probability-space recursion for long inputs, central finite differences for the gradient, and a NumPy
forward pass (GRUs step by step) for the acoustic model.
"""
import functools
import itertools
import math

import numpy as np

from utils.asr_data import mel_filterbank
from utils.testing import (GradedTestFailure, assert_close, assert_raises_value_error, assert_shape,
                           keras_gru_states, passed)


# --- independent references ------------------------------------------------------------------------------------

def _collapse(path, blank):
    """Merge runs (itertools.groupby), then drop blanks."""
    return tuple(int(symbol) for symbol, _ in itertools.groupby(path) if symbol != blank)


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@functools.lru_cache(maxsize=None)
def _all_paths(T, V):
    """Every path of T frames over V symbols: an int array (V**T, T)."""
    return np.array(list(itertools.product(range(V), repeat=T)), dtype=int).reshape(-1, T)


def _path_probabilities(probs):
    """The probability of every path, in the order of _all_paths."""
    T, V = probs.shape
    paths = _all_paths(T, V)
    return paths, np.prod(probs[np.arange(T), paths], axis=1)


@functools.lru_cache(maxsize=None)
def _alignments(T, V, labels, blank):
    """Which of the paths of _all_paths(T, V) collapse to `labels` (a tuple): a boolean mask."""
    return np.array([_collapse(path, blank) == labels for path in _all_paths(T, V)], dtype=bool)


def _brute_force_probability(logits, labels, blank):
    """p(labels | x): the sum over every path that collapses to labels."""
    _, p = _path_probabilities(_softmax(logits))
    return float(p[_alignments(*logits.shape, tuple(labels), blank)].sum())


def _text_probabilities(probs, blank):
    """{text (tuple of ids): p(text | x)} for every text with an alignment, by summing over all paths."""
    paths, p = _path_probabilities(probs)
    texts = {}
    for path, prob in zip(paths, p):
        text = _collapse(path, blank)
        texts[text] = texts.get(text, 0.0) + prob
    return texts


def _scaled_forward_loss(logits, labels, blank):
    """-log p(labels | x) by the forward recursion in probability space, rescaling alpha to sum 1 at every frame
    (Rabiner's scaling): the log of the scale factors adds up to log p, and nothing underflows."""
    probs = _softmax(np.asarray(logits, dtype=np.float64))
    states = [blank]
    for label in labels:
        states += [label, blank]
    S = len(states)
    alpha = np.zeros(S)
    alpha[0] = probs[0, states[0]]
    if S > 1:
        alpha[1] = probs[0, states[1]]
    log_p = 0.0
    for t in range(probs.shape[0]):
        if t > 0:
            new = np.zeros(S)
            for s in range(S):
                total = alpha[s] + (alpha[s - 1] if s >= 1 else 0.0)
                if s >= 2 and states[s] != blank and states[s] != states[s - 2]:
                    total += alpha[s - 2]
                new[s] = total * probs[t, states[s]]
            alpha = new
        scale = alpha.sum()
        if scale == 0.0:
            return math.inf
        log_p += math.log(scale)
        alpha = alpha / scale
    end = alpha[S - 1] + (alpha[S - 2] if S > 1 else 0.0)
    return math.inf if end == 0.0 else -(log_p + math.log(end))


def _reference_beam_search(probs, beam_width, blank):
    """Prefix beam search in probability space (for short inputs): {prefix: p_b + p_nb} of the kept prefixes."""
    beams = {(): (1.0, 0.0)}
    for row in probs:
        new = {}
        for prefix, (p_b, p_nb) in beams.items():
            for k, y in enumerate(row):
                if k == blank:
                    target, pair = prefix, ((p_b + p_nb) * y, 0.0)
                elif prefix and prefix[-1] == k:
                    old_b, old_nb = new.get(prefix, (0.0, 0.0))
                    new[prefix] = (old_b, old_nb + p_nb * y)
                    target, pair = prefix + (k,), (0.0, p_b * y)
                else:
                    target, pair = prefix + (k,), (0.0, (p_b + p_nb) * y)
                old_b, old_nb = new.get(target, (0.0, 0.0))
                new[target] = (old_b + pair[0], old_nb + pair[1])
        beams = dict(sorted(new.items(), key=lambda item: -sum(item[1]))[:beam_width])
    return {prefix: sum(pair) for prefix, pair in beams.items()}


def _logits(rng, T, V, scale=1.5):
    """Random logits, each row shifted by its own constant (softmax ignores it; a softmax over time does not)."""
    return scale * rng.randn(T, V) + 10.0 * rng.randn(T, 1)


# --- Exercise 1 ------------------------------------------------------------------------------------------------

def _loop_features(audio, sample_rate, frame_length, hop, n_fft, n_mels):
    """Log-mel features, one frame at a time."""
    window = np.array([0.5 - 0.5 * math.cos(2 * math.pi * n / frame_length) for n in range(frame_length)])
    filters = mel_filterbank(n_mels, n_fft, sample_rate).astype(np.float64)
    rows = []
    start = 0
    while start + frame_length <= len(audio):
        spectrum = np.fft.rfft(audio[start:start + frame_length] * window, n_fft)
        power = spectrum.real ** 2 + spectrum.imag ** 2
        rows.append(np.log(power @ filters + 1e-6))
        start += hop
    return np.array(rows)


def _test_signal(rng, n, sample_rate):
    """Tones, a chirp and noise, with a stretch of exact silence (samples 1600 to 2600)."""
    t = np.arange(n) / sample_rate
    audio = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * (300 + 900 * t) * t)
             + 0.05 * rng.randn(n))
    audio[1600:2600] = 0.0
    return audio.astype(np.float32)


def log_mel_features_test(target):
    rng = np.random.RandomState(0)
    audio = _test_signal(rng, 16000 // 4 + 123, 16000)
    features = target(audio)
    expected = _loop_features(audio.astype(np.float64), 16000, 400, 160, 512, 40)
    assert_shape(features, expected.shape, "log_mel_features(audio) (frames = 1 + (N - frame_length) // hop, "
                                           "frames start every hop samples, no padding)")
    if np.asarray(features).dtype != np.float32:
        raise GradedTestFailure(f"log_mel_features should return float32, got {np.asarray(features).dtype}")
    if not np.all(np.isfinite(features)):
        raise GradedTestFailure("log_mel_features gave -inf or NaN: the audio has a silent stretch, whose mel "
                                "energies are 0; add 1e-6 before the log")
    assert_close(features, expected, "log_mel_features(audio) (periodic Hann window, power |rfft|^2 with "
                 "n=n_fft, times mel_filterbank, natural log of (energy + 1e-6))", atol=1e-4, rtol=1e-5)
    # Other settings: nothing may be hard-coded.
    audio_8k = _test_signal(rng, 3000, 8000)
    other = dict(sample_rate=8000, frame_length=256, hop=100, n_fft=256, n_mels=20)
    expected = _loop_features(audio_8k.astype(np.float64), 8000, 256, 100, 256, 20)
    assert_close(target(audio_8k, **other), expected,
                 f"log_mel_features(audio, {', '.join(f'{k}={v}' for k, v in other.items())}) "
                 "(use the arguments, not 400, 160, 512, 40 or 16000)", atol=1e-4, rtol=1e-5)
    # The number of frames at the edges: exactly one frame, one sample short of a second, exactly two.
    for n, frames in [(400, 1), (559, 1), (560, 2)]:
        assert_shape(target(np.ones(n, np.float32)), (frames, 40),
                     f"log_mel_features of {n} samples (1 + ({n} - 400) // 160 = {frames} frames)")
    assert_raises_value_error(target, np.zeros(399, np.float32), mentions="shorter")
    assert_raises_value_error(target, np.zeros((2, 4000), np.float32), mentions="1-D")
    passed()


# --- Exercise 2 ------------------------------------------------------------------------------------------------

def ctc_collapse_test(target):
    cases = [
        ([0, 3, 3, 0, 3, 5, 5, 0], 0, [3, 3, 5], "a blank between two runs of 3 keeps both (merge first, then "
                                                "drop the blanks)"),
        ([3, 3, 0, 5, 3], 0, [3, 5, 3], "the first symbol equals the last one: compare ids[t] with ids[t - 1] only "
                                        "for t > 0 (ids[-1] is the last symbol)"),
        ([1, 1, 1, 2, 2, 1], 0, [1, 2, 1], "runs of equal symbols merge into one"),
        ([2, 0, 2, 0, 0, 2], 0, [2, 2, 2], "blanks separate equal symbols"),
        ([0, 0, 0], 0, [], "a path of blanks is the empty text"),
        ([], 0, [], "an empty path"),
        ([0, 1, 2, 3, 4], 0, [1, 2, 3, 4], "the last symbol counts too"),
        ([4, 1, 1, 4, 1, 0, 0, 4], 4, [1, 1, 0], "blank = 4: id 0 is then an ordinary symbol; use the argument"),
    ]
    for path, blank, expected, why in cases:
        result = target(np.array(path, dtype=np.int64) if len(path) % 2 else path, blank=blank)
        if not isinstance(result, list) or not all(isinstance(k, (int, np.integer)) for k in result):
            raise GradedTestFailure(f"ctc_collapse should return a list of ints, got {result!r}")
        if [int(k) for k in result] != expected:
            raise GradedTestFailure(f"ctc_collapse({path}, blank={blank}) should be {expected}, got "
                                    f"{[int(k) for k in result]}: {why}")
    passed()


# --- Exercise 3 ------------------------------------------------------------------------------------------------

# (T, V, labels, blank): repeats, T exactly the shortest possible, an empty text, V = 4 (skips matter), blank != 0.
LOSS_CASES = [
    (4, 3, [1, 2], 0, "two different labels"),
    (5, 3, [1, 1], 0, "a repeated label (its two copies need a blank between them)"),
    (3, 3, [1, 1], 0, "a repeated label with T = 3, the fewest frames it fits in"),
    (5, 3, [2, 2, 2], 0, "three equal labels with T = 5, the fewest frames they fit in"),
    (3, 3, [], 0, "the empty text (only the blank state)"),
    (5, 4, [1, 2, 3], 0, "three different labels (skips over the blanks are allowed)"),
    (4, 4, [3, 1, 3], 0, "[3, 1, 3] with T = 4"),
    (3, 4, [1, 2, 3], 0, "three labels in T = 3 frames (only the path 1 2 3)"),
    (4, 3, [0, 1], 2, "blank = 2 (use the argument; ids 0 and 1 are labels)"),
]


def ctc_loss_test(target):
    rng = np.random.RandomState(0)
    for T, V, labels, blank, what in LOSS_CASES:
        logits = _logits(rng, T, V)
        expected = -math.log(_brute_force_probability(logits, labels, blank))
        result = target(logits, labels, blank=blank)
        if not isinstance(result, (float, np.floating)):
            raise GradedTestFailure(f"ctc_loss should return a float, got {type(result).__name__}")
        assert_close(result, expected, f"ctc_loss for {what}, T = {T}, V = {V}, labels {labels} (expected: the "
                     "sum over every path; check the extended labels, the skip rule, the first frame and the two "
                     "final states)", atol=1e-7)
    # Too short: no path.
    for T, labels in [(2, [1, 1]), (2, [1, 2, 1]), (4, [1, 1, 2, 2])]:
        result = target(_logits(rng, T, 3), labels)
        if result != np.inf:
            raise GradedTestFailure(f"ctc_loss of labels {labels} with T = {T} should be np.inf (they need "
                                    f"{len(labels) + sum(a == b for a, b in zip(labels, labels[1:]))} frames), "
                                    f"got {result}")
    # A long utterance: p(labels | x) is far below the smallest float64, its log is not.
    T, V = 400, 29
    labels = list(rng.randint(1, V, size=120))
    labels[10:13] = [2, 2, 2]
    logits = 4.0 * rng.randn(T, V)
    expected = _scaled_forward_loss(logits, labels, 0)
    assert expected > 745   # p < 1e-323: below the smallest float64
    assert_close(target(logits, labels), expected, f"ctc_loss for T = 400 and 120 labels (loss about {expected:.0f}: "
                 "p = exp(-loss) underflows to 0 in float64, so the recursion must stay in log space)", atol=1e-6)
    passed()


# --- Exercise 4 ------------------------------------------------------------------------------------------------

def ctc_loss_gradient_test(target):
    rng = np.random.RandomState(1)
    h = 1e-5
    for T, V, labels, blank, what in LOSS_CASES:
        logits = _logits(rng, T, V, scale=1.0)
        grad = target(logits, labels, blank=blank)
        assert_shape(grad, (T, V), f"ctc_loss_gradient for {what}")
        numerical = np.zeros((T, V))
        for index in np.ndindex(T, V):
            plus, minus = logits.copy(), logits.copy()
            plus[index] += h
            minus[index] -= h
            numerical[index] = (math.log(_brute_force_probability(minus, labels, blank))
                                - math.log(_brute_force_probability(plus, labels, blank))) / (2 * h)
        assert_close(grad, numerical, f"ctc_loss_gradient for {what}, T = {T}, V = {V}, labels {labels} "
                     "(expected: finite differences of -log p; grad = softmax - (1/p) sum over the states of each "
                     "symbol of alpha * beta, added up, not overwritten)", atol=1e-6, rtol=1e-5)
    # The posteriors of each frame sum to 1.
    T, V, labels = 5, 4, [1, 2, 2]
    _, gamma = target(_logits(rng, T, V), labels, return_posteriors=True)
    assert_shape(gamma, (T, 2 * len(labels) + 1), "the posteriors gamma (T, 2U + 1)")
    assert_close(np.sum(gamma, axis=1), np.ones(T), "the posteriors of each frame, summed over the states (every "
                 "alignment is in exactly one state at each frame: alpha * beta / p sums to 1)")
    # A long utterance: log space throughout; each row of the gradient sums to 0 (softmax and posteriors both sum
    # to 1), and a few entries match finite differences of the rescaled recursion.
    T, V = 400, 29
    labels = list(rng.randint(1, V, size=120))
    labels[20:22] = [4, 4]
    logits = 4.0 * rng.randn(T, V)
    grad = target(logits, labels)
    assert_shape(grad, (T, V), "ctc_loss_gradient for T = 400")
    if not np.all(np.isfinite(grad)):
        raise GradedTestFailure("ctc_loss_gradient for T = 400 and 120 labels has NaN or infinite values: alpha, "
                                "beta and p underflow outside log space; use exp(log alpha + log beta - log p)")
    assert_close(np.sum(grad, axis=1), np.zeros(T), "each row of the gradient for T = 400, summed over the symbols "
                 "(softmax sums to 1, and so do the posteriors of each frame)", atol=1e-8)
    for index in [(0, 0), (0, 3), (57, labels[20]), (120, 0), (399, 5), (399, labels[-1])]:
        plus, minus = logits.copy(), logits.copy()
        plus[index] += h
        minus[index] -= h
        numerical = (_scaled_forward_loss(plus, labels, 0) - _scaled_forward_loss(minus, labels, 0)) / (2 * h)
        assert_close(grad[index], numerical, f"ctc_loss_gradient{list(index)} for T = 400 (finite differences)",
                     atol=1e-6, rtol=1e-4)
    # Too short: p = 0, no gradient.
    assert_raises_value_error(target, _logits(rng, 2, 3), [1, 1], mentions="")
    passed()


# --- Exercise 5 ------------------------------------------------------------------------------------------------

def _beams(result, name="ctc_prefix_beam_search"):
    if not isinstance(result, list) or not result:
        raise GradedTestFailure(f"{name} should return a non-empty list of (prefix, log_prob) pairs, got {result!r}")
    out = []
    for item in result:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], tuple)):
            raise GradedTestFailure(f"each beam should be a pair (prefix tuple, log_prob), got {item!r}")
        out.append((tuple(int(k) for k in item[0]), float(item[1])))
    scores = [log_prob for _, log_prob in out]
    if scores != sorted(scores, reverse=True):
        raise GradedTestFailure(f"the beams should be sorted best first (largest log probability), got {scores}")
    if len({prefix for prefix, _ in out}) != len(out):
        raise GradedTestFailure("a prefix appears twice among the beams: add up the alignments of a prefix "
                                "into one entry")
    return out


def ctc_prefix_beam_search_test(target):
    rng = np.random.RandomState(2)
    # A beam wide enough for every text: the exact probability of every text, from all V^T paths.
    for T, V, blank in [(3, 3, 0), (4, 3, 0), (3, 4, 0), (4, 3, 1), (5, 3, 0)]:
        probs = _softmax(_logits(rng, T, V, scale=1.0))
        exact = _text_probabilities(probs, blank)
        beams = _beams(target(np.log(probs), beam_width=1000, blank=blank))
        got = dict(beams)
        if set(got) != set(exact):
            missing, extra = sorted(set(exact) - set(got)), sorted(set(got) - set(exact))
            raise GradedTestFailure(f"with beam_width = 1000, T = {T}, V = {V}, blank = {blank}, the beams should "
                                    f"be all {len(exact)} texts; missing {missing[:5]}, unexpected {extra[:5]}")
        texts = sorted(exact, key=lambda text: -exact[text])
        assert_close([got[text] for text in texts], [math.log(exact[text]) for text in texts],
                     f"the log probabilities of all texts with T = {T}, V = {V}, blank = {blank}, compared with the "
                     "sum over all paths (a repeated character needs a blank in between: from p_b only; a repeat "
                     "after a character stays on the same prefix; add, never overwrite)", atol=1e-9)
    # The greedy trap: blank is the most probable symbol at every frame, but "a" has P = 0.524.
    trap = np.log(np.array([[0.5, 0.4, 0.1]] * 3))
    beams = _beams(target(trap, beam_width=3))
    if beams[0][0] != (1,) or not math.isclose(beams[0][1], math.log(0.524), abs_tol=1e-9):
        raise GradedTestFailure(f"on three frames of [0.5, 0.4, 0.1] the best text is (1,) with P = 0.524 (6 "
                                f"alignments); got {beams[0][0]} with P = {math.exp(beams[0][1]):.4f}")
    # Narrow beams: prune to beam_width prefixes by p_b + p_nb after every frame.
    for T, V, width in [(6, 4, 1), (6, 4, 2), (7, 3, 3), (6, 5, 4)]:
        probs = _softmax(_logits(rng, T, V, scale=2.0))
        expected = _reference_beam_search(probs, width, 0)
        beams = _beams(target(np.log(probs), beam_width=width))
        if len(beams) != width:
            raise GradedTestFailure(f"with beam_width = {width} the search should return {width} beams, "
                                    f"got {len(beams)}")
        if [prefix for prefix, _ in beams] != sorted(expected, key=lambda p: -expected[p]):
            raise GradedTestFailure(f"with T = {T}, V = {V}, beam_width = {width}, the beams should be "
                                    f"{sorted(expected, key=lambda p: -expected[p])}, got "
                                    f"{[prefix for prefix, _ in beams]}: after each frame keep the beam_width "
                                    "prefixes with the largest p_b + p_nb (both kinds of alignment)")
        assert_close([lp for _, lp in beams], [math.log(expected[p]) for p, _ in beams],
                     f"the log probabilities of the beams with beam_width = {width}", atol=1e-9)
    assert_raises_value_error(target, trap, beam_width=0, mentions="beam_width")
    passed()


# --- Exercise 6 ------------------------------------------------------------------------------------------------

def _reference_distance(a, b):
    """The Levenshtein distance by recursion on the first items (memoised)."""
    @functools.lru_cache(maxsize=None)
    def d(i, j):
        if i == len(a) or j == len(b):
            return (len(a) - i) + (len(b) - j)
        if a[i] == b[j]:
            return d(i + 1, j + 1)
        return 1 + min(d(i + 1, j), d(i, j + 1), d(i + 1, j + 1))
    return d(0, 0)


def edit_distance_test(target):
    cases = [
        ("kitten", "sitting", 3, "two substitutions (k->s, e->i) and an insertion (g); a substitution costs 1"),
        ("", "abc", 3, "three insertions: D[0, j] = j"),
        ("abc", "", 3, "three deletions: D[i, 0] = i"),
        ("", "", 0, "two empty sequences"),
        ("same", "same", 0, "equal sequences: equal items cost 0"),
        ("ab", "ba", 2, "a swap is two edits"),
        ("flaw", "lawn", 2, "a deletion and an insertion"),
        ("abcdef", "azced", 3, "substitute b, substitute d, delete f"),
        ("call four one seven".split(), "call for one one seven".split(), 2,
         "lists of words: one substituted word, one inserted"),
        (["a"], ["a", "a", "a"], 2, "two inserted words"),
    ]
    for reference, hypothesis, expected, why in cases:
        result = target(reference, hypothesis)
        if not isinstance(result, (int, np.integer)):
            raise GradedTestFailure(f"edit_distance should return an int, got {type(result).__name__}")
        if result != expected:
            raise GradedTestFailure(f"edit_distance({reference!r}, {hypothesis!r}) should be {expected}, got "
                                    f"{result}: {why}")
    rng = np.random.RandomState(3)
    for _ in range(40):
        a = "".join(rng.choice(list("abc"), size=rng.randint(0, 8)))
        b = "".join(rng.choice(list("abc"), size=rng.randint(0, 8)))
        if target(a, b) != _reference_distance(a, b):
            raise GradedTestFailure(f"edit_distance({a!r}, {b!r}) should be {_reference_distance(a, b)}, got "
                                    f"{target(a, b)}")
    passed()


# --- Exercise 7 ------------------------------------------------------------------------------------------------

def _gru(x, kernel, recurrent, bias, reverse=False):
    """A Keras GRU over x (T, d), forwards or (reverse) backwards: outputs (T, units) in x's order."""
    return keras_gru_states(x[::-1], kernel, recurrent, bias)[::-1] if reverse else keras_gru_states(
        x, kernel, recurrent, bias)


def _reference_recogniser(x, norm, conv, batch_norm, grus, dense, kernel_size):
    """The recogniser's forward pass for one utterance x (T, n_features), from its layers' weights."""
    mean, variance = norm[0], norm[1]
    x = (x - mean.reshape(-1)) / np.maximum(np.sqrt(variance.reshape(-1)), 1e-7)
    T = x.shape[0]
    T_out = -(-T // 2)
    pad = max((T_out - 1) * 2 + kernel_size - T, 0)           # "same": the extra zero goes at the end
    x = np.concatenate([np.zeros((pad // 2, x.shape[1])), x, np.zeros((pad - pad // 2, x.shape[1]))])
    kernel, bias = conv
    x = np.maximum(0.0, np.array([np.einsum("kc,kcf->f", x[2 * t:2 * t + kernel_size], kernel) + bias
                                  for t in range(T_out)]))
    gamma, beta, moving_mean, moving_variance = batch_norm
    x = gamma * (x - moving_mean) / np.sqrt(moving_variance + 1e-3) + beta
    for forward, backward in grus:
        x = np.concatenate([_gru(x, *forward), _gru(x, *backward, reverse=True)], axis=1)
    return x @ dense[0] + dense[1]


def _layers_of(model, kind):
    return [layer for layer in model.layers if type(layer).__name__ == kind]


def asr_model_test(target):
    import keras
    sizes = dict(n_features=8, n_symbols=7, conv_filters=6, kernel_size=3, gru_units=5)
    model = target(**sizes)
    if not isinstance(model, keras.Model):
        raise GradedTestFailure(f"asr_model should return a keras.Model, got {type(model).__name__}")
    shown = ", ".join(f"{k}={v}" for k, v in sizes.items())
    for T in (11, 10, 1):
        output = model(np.zeros((2, T, 8), np.float32), training=False)
        assert_shape(output, (2, -(-T // 2), 7), f"asr_model({shown}) on features (2, {T}, 8): one output frame "
                     "per two input frames (Conv1D strides=2, padding=\"same\": ceil(T / 2) frames), every GRU "
                     "returning sequences, n_symbols logits per frame")
    # The layers the shipped weights need, in this order, each with the arguments it was given.
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.Normalization)]
    if len(norms) != 1 or norms[0].name != "normalise":
        raise GradedTestFailure("asr_model should start with one keras.layers.Normalization named \"normalise\" "
                                f"(the trainer adapts it by that name); found {[layer.name for layer in norms]}")
    convs, batch_norms = _layers_of(model, "Conv1D"), _layers_of(model, "BatchNormalization")
    bidirectionals, denses = _layers_of(model, "Bidirectional"), _layers_of(model, "Dense")
    counts = {"Conv1D": len(convs), "BatchNormalization": len(batch_norms), "Bidirectional": len(bidirectionals),
              "Dense": len(denses)}
    if counts != {"Conv1D": 1, "BatchNormalization": 1, "Bidirectional": 2, "Dense": 1}:
        raise GradedTestFailure(f"asr_model should have one Conv1D, one BatchNormalization, two Bidirectional "
                                f"GRUs and one Dense layer; it has {counts}")
    conv = convs[0].get_config()
    for key, value, why in [("filters", 6, "conv_filters"), ("kernel_size", (3,), "kernel_size"),
                            ("strides", (2,), "subsampling by 2"), ("padding", "same", "ceil(T / 2) frames"),
                            ("activation", "relu", "a ReLU inside the Conv1D, before the BatchNormalization")]:
        if conv[key] != value:
            raise GradedTestFailure(f"the Conv1D's {key} is {conv[key]!r}, expected {value!r} ({why}, with {shown})")
    for i, layer in enumerate(bidirectionals):
        inner = layer.forward_layer
        if not isinstance(inner, keras.layers.GRU):
            raise GradedTestFailure(f"Bidirectional layer {i + 1} wraps a {type(inner).__name__}; it should wrap "
                                    "a keras.layers.GRU")
        if inner.units != 5 or not inner.return_sequences or layer.merge_mode != "concat":
            raise GradedTestFailure(f"Bidirectional GRU {i + 1}: units {inner.units}, return_sequences "
                                    f"{inner.return_sequences}, merge_mode {layer.merge_mode!r}; expected gru_units "
                                    "(5 here), True (an output per frame) and 'concat' (the default)")
    activation = denses[0].get_config()["activation"]
    if activation != "linear":
        raise GradedTestFailure(f"the Dense layer has activation {activation!r}: it should output logits (no "
                                "activation), since the CTC loss applies the log-softmax itself")
    # Numbers: weights and statistics drawn at random, the output compared with a NumPy forward pass.
    rng = np.random.RandomState(4)
    for layer in model.layers:
        weights = [0.6 * rng.randn(*w.shape) if w.ndim else np.array(w) for w in layer.get_weights()]
        if isinstance(layer, (keras.layers.Normalization, keras.layers.BatchNormalization)):
            variance = 3 if isinstance(layer, keras.layers.BatchNormalization) else 1
            weights[variance] = rng.uniform(0.5, 2.0, weights[variance].shape)
        layer.set_weights(weights)
        if isinstance(layer, keras.layers.Normalization):
            layer.finalize_state()   # what adapt() ends with: the layer computes with the new statistics
    x = (2.0 * rng.randn(2, 9, 8) + 1.0).astype(np.float32)
    output = keras.ops.convert_to_numpy(model(x, training=False))
    grus = [[[w.astype(np.float64) for w in direction.get_weights()]
             for direction in (layer.forward_layer, layer.backward_layer)] for layer in bidirectionals]
    for i in range(2):
        expected = _reference_recogniser(x[i].astype(np.float64), norms[0].get_weights(), convs[0].get_weights(),
                                         batch_norms[0].get_weights(), grus, denses[0].get_weights(), 3)
        assert_close(output[i], expected, f"asr_model's logits for known weights (the order should be "
                     "Normalization -> Conv1D with ReLU -> BatchNormalization -> Bidirectional GRU -> "
                     "Bidirectional GRU -> Dense, each feeding the next)", atol=2e-4, rtol=1e-3)
    n_parameters = target().count_params()
    if n_parameters != 528_366:
        raise GradedTestFailure(f"asr_model() with its default sizes has {n_parameters:,} parameters; the shipped "
                                "weights need 528,366 (use the arguments, not other sizes)")
    passed()
