"""The CTC lab's shipped recogniser on held-out voices: greedy decoding vs prefix beam search, CER and WER.

Test sets (rebuilt deterministically, cached under cache/): 300 requests of the "test" split (voices, voice
variants and background noises never used for training, requests of training lengths) and 100 longer ones
(8 to 10 digits where training dialled at most 5). Decoding and scoring use the lab notebook's own functions
(`ctc_collapse`, `ctc_prefix_beam_search`, `edit_distance`). Writes benchmarks/results/ctc_recogniser.md.

    .venv/bin/python benchmarks/ctc_recogniser.py
"""
import os
import time
from collections import Counter
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from machine import machine_and_versions  # noqa: E402
from utils import ROOT, asr_data  # noqa: E402
from utils import ctc_recogniser as recogniser  # noqa: E402

RESULTS = ROOT / "benchmarks/results/ctc_recogniser.md"
BEAM_WIDTHS = (1, 4, 8, 16)


def decode(all_log_probs, functions, beam_width):
    """Transcripts: greedy (beam_width None) or the best prefix of the notebook's prefix beam search."""
    if beam_width is None:
        return [asr_data.ids_to_text(functions.ctc_collapse(np.argmax(lp, axis=1))) for lp in all_log_probs]
    return [asr_data.ids_to_text(functions.ctc_prefix_beam_search(lp, beam_width)[0][0]) for lp in all_log_probs]


def per_utterance_changes(references, greedy, beam, edit_distance):
    """How many utterances beam search made better or worse than greedy (by character edits)."""
    changes = Counter()
    for ref, g, b in zip(references, greedy, beam):
        delta = edit_distance(ref, b) - edit_distance(ref, g)
        changes["better" if delta < 0 else "worse" if delta > 0 else "same"] += 1
    return changes


def per_variant(references, greedy, beam, notes, edit_distance):
    """{voice variant: (reference words, greedy word edits, beam word edits)}."""
    table = {}
    for ref, g, b, note in zip(references, greedy, beam, notes):
        variant = note.split(",")[0].split("+")[1]
        words, g_edits, b_edits = table.get(variant, (0, 0, 0))
        table[variant] = (words + len(ref.split()), g_edits + edit_distance(ref.split(), g.split()),
                          b_edits + edit_distance(ref.split(), b.split()))
    return table


def main():
    start = time.time()
    functions = recogniser.notebook_functions()
    model = recogniser.load_shipped_model()
    record = recogniser.shipped_record()
    sets = {"test (training lengths)": recogniser.cached_split("test", 300, functions.log_mel_features),
            "longer (8-10 digits)": recogniser.cached_split("test", 100, functions.log_mel_features, long=True)}
    lines = [
        "# CTC lab: the shipped recogniser on held-out voices, greedy vs prefix beam search",
        "",
        f"Measured {date.today().isoformat()} with `.venv/bin/python benchmarks/ctc_recogniser.py`; "
        f"Machine: {machine_and_versions(np, tf, keras)}.",
        "",
        f"Shipped weights `data/ctc_recogniser.weights.h5`: {record['training']['epochs_run']} epochs over "
        f"{record['data']['n_train']:,} synthetic requests, {record['training']['seconds']} s of training. "
        "Test voices, voice variants and noises were never heard in training. Error rates are corpus-level "
        "(total edits / total reference length), as jiwer computes them.",
        "",
        "| test set | utterances | decoder | CER | WER | beam better / worse / same as greedy |",
        "|---|---|---|---|---|---|",
    ]
    for name, (feats, texts) in sets.items():
        all_log_probs = recogniser.log_posteriors(model, feats)
        greedy = decode(all_log_probs, functions, None)
        cer, wer = recogniser.error_rates(texts, greedy, functions.edit_distance)
        lines.append(f"| {name} | {len(texts)} | greedy | {cer:.2%} | {wer:.2%} | |")
        for width in BEAM_WIDTHS:
            beam = decode(all_log_probs, functions, width)
            cer, wer = recogniser.error_rates(texts, beam, functions.edit_distance)
            changes = per_utterance_changes(texts, greedy, beam, functions.edit_distance)
            lines.append(f"| {name} | {len(texts)} | prefix beam, width {width} | {cer:.2%} | {wer:.2%} | "
                         f"{changes['better']} / {changes['worse']} / {changes['same']} |")
    lines += ["", "WER by held-out voice variant (each said with the three held-out accents), on the 300 test requests:",
              "", "| voice variant | words | greedy WER | prefix beam (width 8) WER |", "|---|---|---|---|"]
    feats, texts = sets["test (training lengths)"]
    notes = asr_data.make_utterances(len(texts), "test")[2]     # the same requests again, for their voices
    all_log_probs = recogniser.log_posteriors(model, feats)
    greedy, beam = decode(all_log_probs, functions, None), decode(all_log_probs, functions, 8)
    for variant, (words, greedy_edits, beam_edits) in sorted(
            per_variant(texts, greedy, beam, notes, functions.edit_distance).items(),
            key=lambda item: item[1][1] / item[1][0]):
        lines.append(f"| {variant} | {words} | {greedy_edits / words:.1%} | {beam_edits / words:.1%} |")
    lines += ["", f"Target: WER at most 10% on held-out voices at training lengths (longer requests reported "
                  f"separately). {time.time() - start:.0f} s in all."]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
