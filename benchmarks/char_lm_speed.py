"""Training speed of the W1A2 dinosaur-name language model: per-example loop vs vectorised minibatches.

Both train the same RNN (50 hidden units) on the same training names, side by side in one run:
  - the notebook's own per-example `optimize` (SGD, learning rate 0.01, gradients clipped to 5);
  - `utils.char_lm.train_minibatch` (batches of 32 padded names, Adam, learning rate 0.01).
Reports characters per second and the training time each needs to reach several held-out loss targets
(evaluation time is not counted). Writes benchmarks/results/char_lm_speed.md.

    .venv/bin/python benchmarks/char_lm_speed.py [--loop-budget 40] [--batch-budget 5]
"""
import argparse
import time
from datetime import date

import numpy as np

from utils.char_lm import (build_vocabulary, encode_name, initialize_parameters, load_names, per_char_loss,
                           train_dev_split, train_minibatch)
from machine import machine_and_versions
from utils.notebook_tools import ROOT, load_definitions

NOTEBOOK = ROOT / "Week-1/W1A2_Dinosaur_Island/Dinosaur_Island_Character_Level_Language_Model.ipynb"
RESULTS = ROOT / "benchmarks/results/char_lm_speed.md"
N_A = 50


TARGETS = (2.00, 1.95, 1.90, 1.85)


def first_time_below(curve, target):
    """Training seconds at the first check whose held-out loss is at or below `target`, or None."""
    return next((seconds for seconds, loss in curve if loss <= target), None)


def per_example_run(optimize, train, dev, char_to_ix, budget, chunk=200):
    """Train one name per step for `budget` seconds, checking the dev loss every `chunk` steps.

    Returns (characters per second, [(training seconds, dev loss), ...]).
    """
    parameters = initialize_parameters(N_A, len(char_to_ix), len(char_to_ix))
    examples = [encode_name(name, char_to_ix) for name in train]
    np.random.RandomState(0).shuffle(examples)
    trained, chars, curve, j = 0.0, 0, [], 0
    while trained < budget:
        start = time.perf_counter()
        for _ in range(chunk):
            X, Y = examples[j % len(examples)]
            optimize(X, Y, np.zeros((N_A, 1)), parameters)
            chars, j = chars + len(Y), j + 1
        trained += time.perf_counter() - start
        curve.append((trained, per_char_loss(parameters, dev, char_to_ix)))
    return chars / trained, curve


def minibatch_run(train, dev, char_to_ix, budget):
    """Train one epoch at a time with train_minibatch for `budget` seconds; same returns."""
    parameters = initialize_parameters(N_A, len(char_to_ix), len(char_to_ix))
    chars_per_epoch = sum(len(name) + 1 for name in train)
    trained, epochs, curve = 0.0, 0, []
    while trained < budget:
        start = time.perf_counter()
        train_minibatch(train, char_to_ix, n_a=N_A, epochs=1, seed=epochs, parameters=parameters, progress=False)
        trained += time.perf_counter() - start
        epochs += 1
        curve.append((trained, per_char_loss(parameters, dev, char_to_ix)))
    return chars_per_epoch * epochs / trained, curve


def fmt(seconds):
    return "not reached" if seconds is None else f"{seconds:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loop-budget", type=float, default=40, help="training seconds for the per-example loop")
    parser.add_argument("--batch-budget", type=float, default=5, help="training seconds for the minibatch trainer")
    args = parser.parse_args()
    names = load_names()
    char_to_ix, _ = build_vocabulary(names)
    train, dev = train_dev_split(names, dev_fraction=0.1, seed=0)
    optimize = load_definitions(NOTEBOOK).optimize
    results = {"per-example loop (SGD)": per_example_run(optimize, train, dev, char_to_ix, args.loop_budget),
               "minibatch of 32 (Adam)": minibatch_run(train, dev, char_to_ix, args.batch_budget)}
    header = " | ".join(f"time to ≤ {t:.2f}" for t in TARGETS)
    rows = [f"| trainer | characters / s | {header} | best held-out loss | training time |",
            "|---" * (4 + len(TARGETS)) + "|"]
    for name, (speed, curve) in results.items():
        times = " | ".join(fmt(first_time_below(curve, t)) for t in TARGETS)
        rows.append(f"| {name} | {speed:,.0f} | {times} | {min(l for _, l in curve):.3f} | {curve[-1][0]:.0f} s |")
    (loop_speed, _), (batch_speed, _) = results.values()
    report = "\n".join([
        "# W1A2 language model: per-example loop vs vectorised minibatches",
        "",
        f"Measured {date.today().isoformat()} with `.venv/bin/python benchmarks/char_lm_speed.py` (part of "
        "`make bench`): both trainers in one process, one after the other, on the same "
        f"{len(train)} training names; held-out loss (nats per character) on {len(dev)} other names, checked every "
        "200 names (loop) or every epoch (minibatch); checking is not counted in the times.",
        f"Machine: {machine_and_versions(np)}.",
        "",
        *rows,
        "",
        f"Throughput: the minibatch trainer processes {batch_speed / loop_speed:.1f}x as many characters per second. "
        "It also uses Adam instead of plain SGD, so its time to a target loss reflects both the vectorisation and "
        "the optimiser. \"not reached\": not within that trainer's training time.",
        "",
    ])
    RESULTS.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
