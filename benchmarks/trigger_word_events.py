"""Event-level quality of the shipped trigger word model (W3A2) on the dev set, next to frame accuracy.

The dev set: 300 clips of the "dev" split (voices, variants and background kinds never used for training),
rebuilt deterministically (cached under cache/). A detection counts when its peak lies between
TOLERANCE_BEFORE steps before and TOLERANCE_AFTER steps after the true end of "activate"
(1 step = 10 s / 1375 = 7.3 ms). The threshold is the one stored with the weights (chosen on the val split);
other thresholds and tolerances are shown for context, not for choosing. Writes
benchmarks/results/trigger_word_events.md.

    .venv/bin/python benchmarks/trigger_word_events.py
"""
import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from utils import td_utils as td  # noqa: E402
from utils import trigger_model as tm  # noqa: E402
from machine import machine_and_versions  # noqa: E402
from utils.notebook_tools import ROOT  # noqa: E402

RESULTS = ROOT / "benchmarks/results/trigger_word_events.md"


def row(name, r):
    return (f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['tp']} | {r['fp']} | {r['fn']} "
            f"| {r['frame_accuracy']:.3f} |")


def main():
    start = time.time()
    model, info = tm.load_shipped_model()
    threshold = info["threshold"]
    Xd, Yd, ends_d = td.cached_dataset(tm.TRAINING["n_dev"], tm.TRAINING["data_seeds"]["dev"], "dev", progress=False)
    probs = tm.predict(model, Xd)
    report = tm.dev_report(probs, Yd, ends_d, threshold)
    zeros = np.zeros_like(probs)
    zero_report = tm.dev_report(zeros, Yd, ends_d, threshold)
    lines = [
        "# W3A2 Trigger word detection: event-level scores on the dev set",
        "",
        f"Measured {date.today().isoformat()} with `.venv/bin/python benchmarks/trigger_word_events.py` (part of "
        f"`make bench`), {time.time() - start:.0f} s in all.",
        f"Machine: {machine_and_versions(np, tf, keras)}.",
        "",
        f"Shipped weights `data/trigger_word_model.weights.h5`: {info['epochs']} epochs over "
        f"{info['training']['n_train']:,} synthetic examples ({info['seconds']['training']} s of training). "
        f"Dev set: {report['n_clips']} clips with {report['n_events']} spoken \"activate\", new voices, variants "
        f"and background kinds. Threshold {threshold} (chosen on the val split of the training voices). "
        f"Tolerance: a detection's peak from {td.TOLERANCE_BEFORE} steps before to {td.TOLERANCE_AFTER} steps after "
        f"the true end (-{td.TOLERANCE_BEFORE * 10 / td.Ty:.2f} s to +{td.TOLERANCE_AFTER * 10 / td.Ty:.2f} s); "
        f"detections at least {td.MIN_GAP} steps apart.",
        "",
        "| model | precision | recall | F1 | correct | false alarms | missed | frame accuracy |",
        "|---|---|---|---|---|---|---|---|",
        row(f"shipped model, threshold {threshold}", report),
        row("always 0 (detects nothing)", {**zero_report, "precision": float("nan")}).replace("nan", "-"),
        "",
        "Target: event F1 at least 0.90. Frame accuracy of the always-0 output shows why frames mislead.",
        "",
        "For context only (not used to choose anything): F1 at other thresholds and tolerances.",
        "",
        "| threshold | " + " | ".join(f"{t:.2f}" for t in tm.THRESHOLDS) + " |",
        "|---|" + "---|" * len(tm.THRESHOLDS),
        "| dev F1 | " + " | ".join(f"{td.event_scores(probs, ends_d, threshold=t)['f1']:.3f}"
                                   for t in tm.THRESHOLDS) + " |",
        "",
        "| tolerance (steps before, after) | F1 |",
        "|---|---|",
    ]
    for before, after in ((10, 40), (25, 75), (50, 100)):
        f1 = td.event_scores(probs, ends_d, threshold=threshold, before=before, after=after)["f1"]
        lines.append(f"| {before}, {after} | {f1:.3f} |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
