"""Speed of the W1A1 NumPy forward passes against Keras' LSTM and GRU layers on the CPU.

Measured side by side in one run, on the same shapes (batch 64, 100 steps, 64 inputs, 128 units):
  - our vectorised `lstm_forward` / `gru_forward` (the notebook's own code);
  - Keras 3 `LSTM` / `GRU` layers, called eagerly and inside a `tf.function`;
  - a naive loop that runs our forward pass once per example.
Everything runs in float32, Keras' default. Writes benchmarks/results/rnn_forward_speed.md and prints the same table.

    .venv/bin/python benchmarks/rnn_forward_speed.py [--repeats 7]
"""
import argparse
import os
import statistics
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from machine import machine_and_versions  # noqa: E402
from utils.notebook_tools import ROOT, load_definitions  # noqa: E402
from utils.rnn_utils import (GRU_RESET_AFTER_PARAMETERS, LSTM_PARAMETERS, gru_keras_weights,  # noqa: E402
                             initialize_parameters, lstm_keras_weights, to_keras_sequence)

NOTEBOOK = ROOT / "Week-1/W1A1_RNN_Step_by_Step/Building_a_Recurrent_Neural_Network_Step_by_Step.ipynb"
RESULTS = ROOT / "benchmarks/results/rnn_forward_speed.md"
M, T_X, N_X, N_A, N_Y = 64, 100, 64, 128, 10


def interleaved_medians(functions, repeats):
    """Median wall time of each function, timed round-robin so background load hits all of them alike."""
    times = {name: [] for name in functions}
    for function in functions.values():  # warm-up (tracing, allocations)
        function()
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def keras_callables(layer, x, a0):
    """(eager call, tf.function call) of a Keras recurrent layer on our (n_x, m, T_x) inputs."""
    x = tf.constant(to_keras_sequence(x))
    a0 = tf.constant(a0.T)
    states = [a0, tf.zeros_like(a0)] if isinstance(layer, keras.layers.LSTM) else [a0]
    compiled = tf.function(lambda inputs: layer(inputs, initial_state=states))
    return (lambda: layer(x, initial_state=states).numpy()), (lambda: compiled(x).numpy())


def measure(cell, repeats):
    """Median seconds of each contender for one cell type ("LSTM" or "GRU")."""
    w1a1 = load_definitions(NOTEBOOK)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N_X, M, T_X)).astype(np.float32)
    a0 = (rng.standard_normal((N_A, M)) * 0.1).astype(np.float32)
    layout = LSTM_PARAMETERS if cell == "LSTM" else GRU_RESET_AFTER_PARAMETERS
    parameters = {k: v.astype(np.float32) for k, v in initialize_parameters(layout, N_X, N_A, N_Y, rng).items()}
    if cell == "LSTM":
        ours = lambda x, a0: w1a1.lstm_forward(x, a0, parameters)  # noqa: E731
        layer = keras.layers.LSTM(N_A, return_sequences=True)
        layer.build((M, T_X, N_X))
        layer.set_weights(lstm_keras_weights(parameters))
    else:
        ours = lambda x, a0: w1a1.gru_forward(x, a0, parameters, reset_after=True)  # noqa: E731
        layer = keras.layers.GRU(N_A, return_sequences=True, reset_after=True)
        layer.build((M, T_X, N_X))
        layer.set_weights(gru_keras_weights(parameters, reset_after=True))
    eager, compiled = keras_callables(layer, x, a0)
    return interleaved_medians({
        "ours": lambda: ours(x, a0),
        "keras_eager": eager,
        "keras_function": compiled,
        "loop": lambda: [ours(x[:, i:i + 1], a0[:, i:i + 1]) for i in range(M)],
    }, repeats)


def table(results):
    rows = ["| cell | our NumPy forward | Keras eager | Keras tf.function | per-example loop "
            "| ours / Keras eager | ours / Keras tf.function | loop / ours |",
            "|---|---|---|---|---|---|---|---|"]
    for cell, t in results.items():
        rows.append(f"| {cell} | {t['ours'] * 1e3:.1f} ms | {t['keras_eager'] * 1e3:.1f} ms "
                    f"| {t['keras_function'] * 1e3:.1f} ms | {t['loop'] * 1e3:.0f} ms "
                    f"| {t['ours'] / t['keras_eager']:.2f}x | {t['ours'] / t['keras_function']:.2f}x "
                    f"| {t['loop'] / t['ours']:.1f}x |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    results = {cell: measure(cell, args.repeats) for cell in ("LSTM", "GRU")}
    report = "\n".join([
        "# W1A1 forward passes: NumPy vs Keras (CPU)",
        "",
        f"Measured {date.today().isoformat()} with `make bench` (`benchmarks/rnn_forward_speed.py`), "
        f"median of {args.repeats} runs after a warm-up, all in one process, the contenders timed in turn (round-robin).",
        f"Shapes: batch {M}, {T_X} time steps, {N_X} inputs, {N_A} units; our passes also compute a "
        f"{N_Y}-class softmax prediction at every step (Keras' layers do not). "
        "The GRU is compared in Keras' default variant (`reset_after=True`).",
        f"Machine: {machine_and_versions(np, tf, keras)}; float32 throughout.",
        "",
        table(results),
        "",
        "A ratio below 1 means our NumPy code is faster. Timings on a shared machine vary by 10-20% between runs.",
        "",
    ])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
