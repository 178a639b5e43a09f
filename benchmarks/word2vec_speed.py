"""Training speed of the word2vec lab's SGNS trainer at several batch sizes, on Shakespeare.

`utils.word2vec.train_sgns` with the lab notebook's own graded functions (loss and gradients, pairs,
subsampling, noise), the notebook's settings (100 dimensions, window 5, 5 negatives, t = 1e-3, float32), for
one epoch over the first --words words of the corpus. The batch sizes are timed in turn (round-robin), so
background load hits them alike. Reports corpus words per second (counted before subsampling, as word2vec
does), training pairs per second, the speed relative to the notebook's batch of 1,024, and the mean loss per
pair over the last fifth of the epoch (larger batches apply the same updates in fewer, bigger steps).
Writes benchmarks/results/word2vec_speed.md and prints the same table.

    .venv/bin/python benchmarks/word2vec_speed.py [--words 200000] [--repeats 3] [--batch-sizes 256 1024 4096]
"""
import argparse
import statistics
import sys
import time
from datetime import date

import numpy as np

from machine import load_note, machine_and_versions
from utils.notebook_tools import ROOT, load_definitions
from utils.shakespeare import training_text
from utils.word2vec import build_vocabulary, encode, tokenize_speeches, train_sgns

NOTEBOOK = ROOT / "Week-2/W2_Lab_Word2Vec/Word2Vec_from_Scratch.ipynb"
RESULTS = ROOT / "benchmarks/results/word2vec_speed.md"
REFERENCE = 1024  # the notebook's batch size


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=200_000, help="corpus words per timed epoch")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[256, 1024, 4096])
    args = parser.parse_args()
    lab = load_definitions(NOTEBOOK)
    speeches = tokenize_speeches(training_text())
    vocabulary = build_vocabulary(speeches, min_count=5)
    ids = encode(speeches, vocabulary)
    corpus_words = int(np.sum(ids >= 0))
    ids = ids[:np.searchsorted(np.cumsum(ids >= 0), args.words) + 1]
    keep = lab.subsample_keep_probability(vocabulary.counts, t=1e-3)
    noise = lab.noise_distribution(vocabulary.counts)

    def epoch(batch_size):
        return train_sgns(ids, lab.sgns_loss_and_gradients, lab.skipgram_pairs, keep, noise, dim=100, window=5,
                          negatives=5, epochs=1, batch_size=batch_size, learning_rate=0.025, seed=0, progress=False)

    load = load_note()  # measured before the runs add their own load
    epoch(REFERENCE)  # warm-up
    times = {b: [] for b in args.batch_sizes}
    runs = {}
    for _ in range(args.repeats):
        for batch_size in args.batch_sizes:
            start = time.perf_counter()
            runs[batch_size] = epoch(batch_size)
            times[batch_size].append(time.perf_counter() - start)
    seconds = {b: statistics.median(t) for b, t in times.items()}
    reference = seconds.get(REFERENCE, seconds[args.batch_sizes[0]])
    rows = ["| batch size (pairs) | words / s | pairs / s | speed vs batch 1,024 | seconds per epoch "
            "| mean loss, last fifth of the epoch |", "|---|---|---|---|---|---|"]
    for batch_size in args.batch_sizes:
        run, s = runs[batch_size], seconds[batch_size]
        tail = run.losses[-max(1, len(run.losses) // 5):].mean()
        rows.append(f"| {batch_size:,} | {run.words_per_epoch / s:,.0f} | {run.pairs_per_epoch[0] / s:,.0f} "
                    f"| {reference / s:.2f}x | {s:.2f} | {tail:.4f} |")
    command = "python benchmarks/word2vec_speed.py " + " ".join(sys.argv[1:])
    words = int(np.sum(ids >= 0))
    report = "\n".join([
        "# word2vec lab: SGNS training speed at several batch sizes",
        "",
        f"Measured {date.today().isoformat()} with `{command.strip()}` (part of `make bench`): one epoch over the "
        f"first {words:,} words of the corpus ({runs[args.batch_sizes[0]].pairs_per_epoch[0]:,} pairs after "
        f"subsampling with t = 1e-3 and random windows up to 5), 100 dimensions, 5 negatives, float32, the "
        "notebook's graded functions; median of "
        f"{args.repeats} runs per batch size after a warm-up, the batch sizes timed in turn (round-robin) in one "
        "process. The time includes subsampling, building and shuffling the pairs and drawing the negatives.",
        f"Machine: {machine_and_versions(np)}; {load}",
        "",
        *rows,
        "",
        "Words are counted before subsampling, as word2vec reports them. The whole notebook trains 5 epochs of "
        f"{corpus_words:,} words. Timings on a shared machine vary between "
        "runs; the ratios between batch sizes are steadier than the absolute numbers.",
        "",
    ])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
