"""A character-level RNN language model in NumPy: data, forward and backward passes, evaluation,
a bigram baseline, and a vectorised minibatch trainer (used by W1A2, Dinosaur Island).

Parameters use the layout of utils.rnn_utils.RNN_PARAMETERS: Wax, Waa, Wya, ba, by. A name is a
sequence of character indices; the input at step 0 is the zero vector (written None) and the model
learns to predict each next character and finally the newline that ends the name.
"""
from pathlib import Path

import numpy as np
from tqdm import tqdm

from utils import ROOT
from utils.rnn_utils import RNN_PARAMETERS, initialize_parameters as _initialize, softmax

DINOS = ROOT / "data" / "dinos.txt"
END = "\n"
WEIGHTS = ("Wax", "Waa", "Wya", "ba", "by")


# --- Data -----------------------------------------------------------------------------------

def load_names(path=DINOS):
    """The names in a text file, one per line, lower-cased; a clear error if the file is missing or empty."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: it should hold one name per line")
    names = [line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not names:
        raise ValueError(f"{path} holds no names")
    return names


def build_vocabulary(names):
    """(char_to_ix, ix_to_char) over the sorted characters of `names` plus the newline, which gets index 0."""
    chars = sorted(set("".join(names)) | {END})
    return {c: i for i, c in enumerate(chars)}, dict(enumerate(chars))


def encode_name(name, char_to_ix):
    """(X, Y) for one name: X = [None] + its character indices, Y = X shifted left, ending with the newline."""
    unknown = sorted(set(name) - set(char_to_ix))
    if unknown:
        raise ValueError(f"{name!r} has characters outside the vocabulary: {unknown}")
    indices = [char_to_ix[c] for c in name]
    return [None] + indices, indices + [char_to_ix[END]]


def train_dev_split(names, dev_fraction=0.1, seed=0):
    """A shuffled split of the names into (train, dev), reproducible for a seed."""
    order = np.random.RandomState(seed).permutation(len(names))
    n_dev = int(round(len(names) * dev_fraction))
    return [names[i] for i in order[n_dev:]], [names[i] for i in order[:n_dev]]


def indices_to_text(indices, ix_to_char):
    """The text of a list of character indices, without the final newline."""
    return "".join(ix_to_char[i] for i in indices).rstrip(END)


# --- The model, one example at a time ---------------------------------------------------------

def initialize_parameters(n_a, n_x, n_y, seed=1):
    """Small random weights and zero biases for the language model (the layout of RNN_PARAMETERS)."""
    return _initialize(RNN_PARAMETERS, n_x=n_x, n_a=n_a, n_y=n_y, rng=np.random.RandomState(seed), scale=0.1)


def one_hot(index, size):
    """A (size, 1) column: zeros, with a one at `index` (all zeros for None, the first input)."""
    x = np.zeros((size, 1))
    if index is not None:
        x[index] = 1
    return x


def rnn_step_forward(parameters, a_prev, x):
    """One step: the next hidden state and the probabilities of the next character."""
    a_next = np.tanh(parameters["Wax"] @ x + parameters["Waa"] @ a_prev + parameters["ba"])
    p_t = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, p_t


def rnn_forward(X, Y, a0, parameters, vocab_size=27):
    """Cross-entropy of predicting Y from X, and the cache (y_hat, a, x) of dicts keyed by time step (a[-1] = a0)."""
    x, a, y_hat = {}, {-1: np.copy(a0)}, {}
    loss = 0.0
    for t in range(len(X)):
        x[t] = one_hot(X[t], vocab_size)
        a[t], y_hat[t] = rnn_step_forward(parameters, a[t - 1], x[t])
        loss -= np.log(y_hat[t][Y[t], 0])
    return loss, (y_hat, a, x)


def rnn_step_backward(dy, gradients, parameters, x, a, a_prev):
    """Add one step's contributions to `gradients` (in place) and return it; dy is the softmax-input gradient."""
    gradients["dWya"] += dy @ a.T
    gradients["dby"] += dy
    da = parameters["Wya"].T @ dy + gradients["da_next"]
    dz = (1 - a ** 2) * da
    gradients["dba"] += dz
    gradients["dWax"] += dz @ x.T
    gradients["dWaa"] += dz @ a_prev.T
    gradients["da_next"] = parameters["Waa"].T @ dz
    return gradients


def rnn_backward(X, Y, parameters, cache):
    """Gradients of rnn_forward's loss for every weight, and the hidden states a."""
    y_hat, a, x = cache
    gradients = {"d" + k: np.zeros_like(parameters[k]) for k in WEIGHTS}
    gradients["da_next"] = np.zeros_like(a[0])
    for t in reversed(range(len(X))):
        dy = np.copy(y_hat[t])
        dy[Y[t]] -= 1  # softmax with cross-entropy: probabilities minus the one-hot target
        gradients = rnn_step_backward(dy, gradients, parameters, x[t], a[t], a[t - 1])
    return gradients, a


def update_parameters(parameters, gradients, learning_rate):
    """One step of gradient descent, in place."""
    for k in WEIGHTS:
        parameters[k] -= learning_rate * gradients["d" + k]
    return parameters


def smooth(loss, cur_loss):
    """An exponential moving average of the loss, so the printed curve is readable."""
    return loss * 0.999 + cur_loss * 0.001


def get_initial_loss(vocab_size, seq_length):
    """The loss of a model that guesses uniformly, for seq_length characters: where training starts."""
    return -np.log(1.0 / vocab_size) * seq_length


# --- Evaluation -----------------------------------------------------------------------------------

def per_char_loss(parameters, names, char_to_ix):
    """Average cross-entropy (nats per character, newline included) of the model on `names`, from a zero state."""
    total, count = 0.0, 0
    n_a, vocab_size = parameters["Waa"].shape[0], len(char_to_ix)
    for name in names:
        X, Y = encode_name(name, char_to_ix)
        loss, _ = rnn_forward(X, Y, np.zeros((n_a, 1)), parameters, vocab_size)
        total, count = total + loss, count + len(Y)
    return total / count


def bigram_probabilities(names, char_to_ix, alpha=1.0):
    """P(next char | previous char) counted on `names` with add-alpha smoothing; row len(char_to_ix) is the start."""
    V = len(char_to_ix)
    counts = np.full((V + 1, V), alpha)
    for name in names:
        X, Y = encode_name(name, char_to_ix)
        for prev, nxt in zip(X, Y):
            counts[V if prev is None else prev, nxt] += 1
    return counts / counts.sum(axis=1, keepdims=True)


def bigram_loss(probabilities, names, char_to_ix):
    """Average cross-entropy (nats per character) of a bigram model on `names`."""
    V = len(char_to_ix)
    losses = [-np.log(probabilities[V if prev is None else prev, nxt])
              for name in names for prev, nxt in zip(*encode_name(name, char_to_ix))]
    return float(np.mean(losses))


# --- A vectorised minibatch trainer ---------------------------------------------------------------

def encode_batch(names, char_to_ix):
    """Padded arrays for a batch: inputs X (B, T) with -1 for the zero vector, targets Y (B, T), mask (B, T)."""
    T = max(len(name) for name in names) + 1
    X = np.full((len(names), T), -1)
    Y = np.zeros((len(names), T), dtype=int)
    mask = np.zeros((len(names), T))
    for i, name in enumerate(names):
        x, y = encode_name(name, char_to_ix)
        X[i, 1:len(x)] = x[1:]
        Y[i, :len(y)] = y
        mask[i, :len(y)] = 1
    return X, Y, mask


def batch_forward(parameters, X):
    """Hidden states a (T+1, n_a, B), a[0] = 0, and probabilities p (T, n_y, B) for a padded batch."""
    Wax, Waa, Wya, ba, by = (parameters[k] for k in WEIGHTS)
    B, T = X.shape
    a = np.zeros((T + 1, Waa.shape[0], B))
    p = np.zeros((T, Wya.shape[0], B))
    for t in range(T):
        z = Waa @ a[t] + ba
        valid = X[:, t] >= 0
        z[:, valid] += Wax[:, X[valid, t]]  # a one-hot input times Wax is a column of Wax
        a[t + 1] = np.tanh(z)
        p[t] = softmax(Wya @ a[t + 1] + by)
    return a, p


def batch_loss_and_gradients(parameters, X, Y, mask):
    """Summed cross-entropy over the unmasked characters, and its gradients (same keys as rnn_backward)."""
    a, p = batch_forward(parameters, X)
    T, _, B = p.shape
    columns = np.arange(B)
    loss = -np.sum(np.log(p[np.arange(T)[:, None], Y.T, columns]) * mask.T)
    grads = {"d" + k: np.zeros_like(parameters[k]) for k in WEIGHTS}
    da_next = np.zeros_like(a[0])
    for t in reversed(range(T)):
        dy = p[t].copy()
        dy[Y[:, t], columns] -= 1
        dy *= mask[:, t]  # padding contributes nothing
        grads["dWya"] += dy @ a[t + 1].T
        grads["dby"] += dy.sum(axis=1, keepdims=True)
        dz = (1 - a[t + 1] ** 2) * (parameters["Wya"].T @ dy + da_next)
        grads["dba"] += dz.sum(axis=1, keepdims=True)
        grads["dWaa"] += dz @ a[t].T
        valid = X[:, t] >= 0
        np.add.at(grads["dWax"].T, X[valid, t], dz[:, valid].T)
        da_next = parameters["Waa"].T @ dz
    return loss, grads


class Adam:
    """The Adam optimiser for a dict of NumPy parameters."""

    def __init__(self, parameters, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.learning_rate, self.beta1, self.beta2, self.epsilon = learning_rate, beta1, beta2, epsilon
        self.m = {k: np.zeros_like(parameters[k]) for k in WEIGHTS}
        self.v = {k: np.zeros_like(parameters[k]) for k in WEIGHTS}
        self.t = 0

    def step(self, parameters, gradients):
        """Update `parameters` in place from `gradients` (keys "dWax", ...)."""
        self.t += 1
        for k in WEIGHTS:
            g = gradients["d" + k]
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * g
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * g ** 2
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            parameters[k] -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)


def train_minibatch(names, char_to_ix, n_a=50, epochs=10, batch_size=32, learning_rate=0.01, max_gradient=5.0,
                    seed=1, parameters=None, callback=None, progress=True):
    """Train the same language model on shuffled padded batches with Adam; returns the parameters.

    Gradients are averaged per character and clipped to [-max_gradient, max_gradient].
    `callback(epoch, parameters)`, if given, runs after every epoch (e.g. to record a dev loss).
    """
    vocab_size = len(char_to_ix)
    if parameters is None:
        parameters = initialize_parameters(n_a, vocab_size, vocab_size, seed=seed)
    optimiser, rng = Adam(parameters, learning_rate), np.random.RandomState(seed)
    for epoch in tqdm(range(epochs), desc="epochs", disable=not progress):
        order = rng.permutation(len(names))
        for start in range(0, len(names), batch_size):
            X, Y, mask = encode_batch([names[i] for i in order[start:start + batch_size]], char_to_ix)
            _, grads = batch_loss_and_gradients(parameters, X, Y, mask)
            optimiser.step(parameters, {k: np.clip(g / mask.sum(), -max_gradient, max_gradient)
                                        for k, g in grads.items()})
        if callback is not None:
            callback(epoch, parameters)
    return parameters
