"""The CTC lab's NumPy functions against trusted references.

- `log_mel_features` against `tf.signal.stft` (periodic Hann window) and `tf.signal.linear_to_mel_weight_matrix`;
- `ctc_loss` against `tf.nn.ctc_loss` and `keras.ops.ctc_loss` (Keras' `mask_index` is the blank's id; on the
  TensorFlow backend it calls `tf.nn.ctc_loss(..., blank_index=mask_index, logits_time_major=False)`), in float32;
- `ctc_loss_gradient` against `tf.GradientTape` through `tf.nn.ctc_loss`;
- `ctc_prefix_beam_search` and `ctc_greedy_decode` against an exhaustive search over every path;
- `edit_distance` / `error_rate` against `jiwer.wer` and `jiwer.cer` (corpus level: total edits / total length).
TensorFlow computes in float32, so those comparisons have float32 tolerances; the rest are exact to 1e-9.
"""
import itertools
import math

import jiwer
import numpy as np
import pytest

import utils.quiet_tf  # noqa: F401  (TensorFlow's start-up log)
import keras
import tensorflow as tf

from utils.asr_data import ALPHABET, BLANK, N_SYMBOLS, mel_filterbank, speak
from utils.notebook_tools import ROOT, load_definitions

NOTEBOOK = ROOT / "Week-3/W3_Lab_Speech_Recognition_with_CTC/Speech_Recognition_with_CTC.ipynb"
lab = load_definitions(NOTEBOOK)

FEATURE_ATOL = 2e-3       # log-mel features, float32 TF vs float64 NumPy (see test_log_mel_features_match_tf)
LOSS_RTOL = 2e-5          # tf.nn.ctc_loss works in float32
GRADIENT_ATOL = 2e-5


# --- features -----------------------------------------------------------------------------------------------

def tf_log_mel(audio, sample_rate=16000, frame_length=400, hop=160, n_fft=512, n_mels=40):
    stft = tf.signal.stft(tf.constant(audio, tf.float32), frame_length=frame_length, frame_step=hop,
                          fft_length=n_fft, window_fn=tf.signal.hann_window, pad_end=False)
    power = tf.math.real(stft * tf.math.conj(stft))
    weights = tf.signal.linear_to_mel_weight_matrix(n_mels, n_fft // 2 + 1, sample_rate, 20.0, 7600.0)
    return tf.math.log(tf.matmul(power, weights) + 1e-6).numpy()


def test_log_mel_features_match_tf():
    rng = np.random.RandomState(0)
    t = np.arange(12_345) / 16000
    synthetic = (0.3 * np.sin(2 * np.pi * (200 + 2000 * t) * t) + 0.05 * rng.randn(t.size)).astype(np.float32)
    synthetic[3000:4000] = 0.0   # silence: the 1e-6 floor
    for audio in (speak("seven"), synthetic):
        ours, theirs = lab.log_mel_features(audio), tf_log_mel(audio)
        assert ours.dtype == np.float32 and ours.shape == theirs.shape == (1 + (audio.size - 400) // 160, 40)
        # The largest differences are in near-silent bands, where float32 rounding of tiny energies shows in the log.
        assert np.abs(ours - theirs).max() < FEATURE_ATOL, np.abs(ours - theirs).max()
        loud = theirs > -5
        assert np.abs(ours - theirs)[loud].max() < 1e-4


def test_mel_filterbank_and_other_settings_match_tf():
    audio = np.random.RandomState(1).randn(8000).astype(np.float32)
    ours = lab.log_mel_features(audio, sample_rate=16000, frame_length=256, hop=128, n_fft=256, n_mels=24)
    theirs = tf_log_mel(audio, frame_length=256, hop=128, n_fft=256, n_mels=24)
    assert ours.shape == theirs.shape and np.abs(ours - theirs).max() < 1e-4
    weights = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 7600.0).numpy()
    assert np.abs(mel_filterbank() - weights).max() < 1e-5


def test_log_mel_features_reject_bad_audio():
    with pytest.raises(ValueError, match="1-D"):
        lab.log_mel_features(np.zeros((1000, 2), np.float32))
    with pytest.raises(ValueError, match="shorter"):
        lab.log_mel_features(np.zeros(399, np.float32))


# --- the loss and its gradient --------------------------------------------------------------------------------

def random_batch(rng, n=24, V=6):
    """n examples of various T and label lengths, with repeats, empty labels and T exactly the minimum."""
    examples = []
    for i in range(n):
        U = [0, 1, 2, 3, 5, 8][i % 6]
        labels = list(rng.randint(1, V, size=U))
        if U >= 3 and i % 2:
            labels[1] = labels[0]   # a repeat
        minimum = U + sum(a == b for a, b in zip(labels, labels[1:]))
        T = max(1, minimum) if i % 4 == 3 else minimum + rng.randint(1, 12)
        examples.append((2.0 * rng.randn(T, V), labels))
    return examples


def padded(examples):
    T, U = max(len(x) for x, _ in examples), max(max(len(y) for _, y in examples), 1)
    logits = np.zeros((len(examples), T, examples[0][0].shape[1]), np.float32)
    labels = np.zeros((len(examples), U), np.int32)
    for i, (x, y) in enumerate(examples):
        logits[i, :len(x)] = x
        labels[i, :len(y)] = y
    return (logits, labels, np.array([len(y) for _, y in examples], np.int32),
            np.array([len(x) for x, _ in examples], np.int32))


EXAMPLES = random_batch(np.random.RandomState(2))


def test_ctc_loss_matches_tf_and_keras():
    logits, labels, label_length, logit_length = padded(EXAMPLES)
    tf_losses = tf.nn.ctc_loss(labels, logits, label_length, logit_length, logits_time_major=False,
                               blank_index=0).numpy()
    keras_losses = keras.ops.convert_to_numpy(
        keras.ops.ctc_loss(labels, logits, label_length, logit_length, mask_index=0))
    ours = np.array([lab.ctc_loss(x.astype(np.float32), y) for x, y in EXAMPLES])
    np.testing.assert_allclose(ours, tf_losses, rtol=LOSS_RTOL, atol=1e-5)
    np.testing.assert_allclose(ours, keras_losses, rtol=LOSS_RTOL, atol=1e-5)


def test_ctc_loss_with_another_blank_matches_tf():
    """blank_index = V - 1 (TensorFlow's other convention): the labels are then 0..V-2."""
    rng = np.random.RandomState(3)
    examples = [(x, [k - 1 for k in y]) for x, y in random_batch(rng, n=8)]
    logits, labels, label_length, logit_length = padded(examples)
    V = logits.shape[2]
    tf_losses = tf.nn.ctc_loss(labels, logits, label_length, logit_length, logits_time_major=False,
                               blank_index=V - 1).numpy()
    ours = np.array([lab.ctc_loss(x.astype(np.float32), y, blank=V - 1) for x, y in examples])
    np.testing.assert_allclose(ours, tf_losses, rtol=LOSS_RTOL, atol=1e-5)


def test_ctc_loss_of_a_long_utterance_is_finite_and_matches_tf():
    rng = np.random.RandomState(4)
    x, y = 4.0 * rng.randn(400, N_SYMBOLS), list(rng.randint(1, N_SYMBOLS, size=120))
    ours = lab.ctc_loss(x.astype(np.float32), y)
    theirs = tf.nn.ctc_loss(np.array([y], np.int32), x[None].astype(np.float32), [len(y)], [len(x)],
                            logits_time_major=False, blank_index=0).numpy()[0]
    assert ours > 745  # exp(-745) is below the smallest float64: log space is required
    assert math.isclose(ours, theirs, rel_tol=1e-5)


def test_ctc_loss_too_short_is_infinite():
    assert lab.ctc_loss(np.zeros((3, 5)), [1, 1, 2, 2]) == np.inf
    assert np.isfinite(lab.ctc_loss(np.zeros((6, 5)), [1, 1, 2, 2]))
    with pytest.raises(ValueError):
        lab.ctc_loss_gradient(np.zeros((3, 5)), [1, 1, 2, 2])


def test_ctc_loss_gradient_matches_gradient_tape():
    logits, labels, label_length, logit_length = padded(EXAMPLES)
    variable = tf.Variable(logits)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(tf.nn.ctc_loss(labels, variable, label_length, logit_length,
                                             logits_time_major=False, blank_index=0))
    tf_grads = tape.gradient(total, variable).numpy()
    worst = 0.0
    for i, (x, y) in enumerate(EXAMPLES):
        ours = lab.ctc_loss_gradient(x.astype(np.float32), y)
        assert ours.dtype == np.float64 and ours.shape == x.shape
        worst = max(worst, np.abs(ours - tf_grads[i, :len(x)]).max())
        assert np.all(tf_grads[i, len(x):] == 0)  # padding frames get no gradient
    assert worst < GRADIENT_ATOL, worst


def test_posteriors_are_a_distribution_over_states():
    rng = np.random.RandomState(5)
    grad, gamma = lab.ctc_loss_gradient(rng.randn(30, 8), [1, 2, 2, 5, 7, 7, 7], return_posteriors=True)
    assert gamma.shape == (30, 15)
    np.testing.assert_allclose(gamma.sum(axis=1), 1.0, atol=1e-12)
    assert gamma.min() >= 0 and gamma[0, 2:].max() == 0 and gamma[-1, :-2].max() == 0


# --- decoding -------------------------------------------------------------------------------------------------

def exact_text_probabilities(probs, blank=BLANK):
    texts = {}
    T = probs.shape[0]
    for path in itertools.product(range(probs.shape[1]), repeat=T):
        text = tuple(lab.ctc_collapse(path, blank))
        texts[text] = texts.get(text, 0.0) + float(np.prod(probs[np.arange(T), path]))
    return texts


@pytest.mark.parametrize("T,V,blank", [(4, 3, 0), (5, 3, 0), (3, 5, 0), (6, 3, 2), (4, 4, 1)])
def test_prefix_beam_search_is_exact_with_a_wide_beam(T, V, blank):
    rng = np.random.RandomState(T * 10 + V)
    log_probs = lab.log_softmax(2.0 * rng.randn(T, V), axis=1)
    exact = exact_text_probabilities(np.exp(log_probs), blank)
    beams = lab.ctc_prefix_beam_search(log_probs, beam_width=10_000, blank=blank)
    assert {prefix for prefix, _ in beams} == set(exact)
    for prefix, log_prob in beams:
        assert math.isclose(log_prob, math.log(exact[prefix]), abs_tol=1e-9)
    assert beams[0][0] == max(exact, key=exact.get)
    # A narrow beam finds no more probability than there is, and returns beam_width texts, best first.
    narrow = lab.ctc_prefix_beam_search(log_probs, beam_width=2, blank=blank)
    assert len(narrow) == 2 and narrow[0][1] >= narrow[1][1]
    assert all(log_prob <= math.log(exact[prefix]) + 1e-12 for prefix, log_prob in narrow)


def test_greedy_decoding_is_the_collapse_of_the_best_path():
    rng = np.random.RandomState(6)
    log_probs = lab.log_softmax(3.0 * rng.randn(5, 3), axis=1)
    best_path = max(itertools.product(range(3), repeat=5), key=lambda p: log_probs[np.arange(5), p].sum())
    assert lab.ctc_greedy_decode(log_probs) == lab.ctc_collapse(best_path)


def test_collapse_round_trips_the_notebook_paths():
    assert lab.ctc_collapse([0, 3, 3, 0, 3, 5, 5, 0]) == [3, 3, 5]
    assert lab.path_to_string(lab.string_to_path("-ca-l_l")) == "-ca-l_l"
    assert ALPHABET[lab.string_to_path("_")[0] - 1] == " "


# --- edit distance, WER, CER ------------------------------------------------------------------------------------

WORDS = ["call", "four", "for", "one", "seven", "the", "lights", "turn", "on", "off", "timer", "nine"]


def random_corpus(rng, n=30):
    references, hypotheses = [], []
    for _ in range(n):
        reference = list(rng.choice(WORDS, size=rng.randint(1, 9)))
        hypothesis = list(reference)
        for _ in range(rng.randint(0, 4)):
            kind, place = rng.randint(3), rng.randint(len(hypothesis) + 1)
            if kind == 0 and place < len(hypothesis):
                hypothesis[place] = str(rng.choice(WORDS))
            elif kind == 1 and place < len(hypothesis):
                del hypothesis[place]
            else:
                hypothesis.insert(place, str(rng.choice(WORDS)))
        references.append(" ".join(reference))
        hypotheses.append(" ".join(hypothesis))
    return references, hypotheses


@pytest.mark.parametrize("seed", range(5))
def test_error_rates_match_jiwer(seed):
    references, hypotheses = random_corpus(np.random.RandomState(seed))
    assert math.isclose(lab.error_rate(references, hypotheses, unit="word"), jiwer.wer(references, hypotheses),
                        abs_tol=1e-12)
    assert math.isclose(lab.error_rate(references, hypotheses, unit="char"), jiwer.cer(references, hypotheses),
                        abs_tol=1e-12)
    for reference, hypothesis in zip(references[:10], hypotheses[:10]):
        output = jiwer.process_words(reference, hypothesis)
        edits = output.substitutions + output.deletions + output.insertions
        assert lab.edit_distance(reference.split(), hypothesis.split()) == edits


def test_error_rate_rejects_bad_input():
    with pytest.raises(ValueError):
        lab.error_rate(["a b"], ["a b", "c"])
    with pytest.raises(ValueError):
        lab.error_rate([""], ["a"])
    with pytest.raises(ValueError):
        lab.error_rate(["a"], ["a"], unit="phoneme")
