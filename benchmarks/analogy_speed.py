"""Speed of word analogies over the 400,000 GloVe words: the word-by-word loop vs one matrix product.

Both are the W2A1 notebook's own graded functions (`complete_analogy` and `complete_analogy_fast`), timed
in turn on the same analogies in one run; the answers are checked to agree.
Writes benchmarks/results/analogy_speed.md.

    .venv/bin/python benchmarks/analogy_speed.py [--repeats 3]
"""
import argparse
import statistics
import time
from datetime import date

import numpy as np

from machine import machine_and_versions
from utils.notebook_tools import ROOT, load_definitions
from utils.w2v_utils import glove_embeddings, read_glove_vecs

NOTEBOOK = ROOT / "Week-2/W2A1_Word_Vector_Operations/Operations_on_Word_Vectors.ipynb"
RESULTS = ROOT / "benchmarks/results/analogy_speed.md"
TRIADS = [("italy", "italian", "spain"), ("india", "delhi", "japan"), ("man", "woman", "boy"),
          ("small", "smaller", "large"), ("france", "paris", "egypt")]


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    w2a1 = load_definitions(NOTEBOOK)
    _, word_to_vec_map = read_glove_vecs()
    embeddings = glove_embeddings()
    w2a1.complete_analogy_fast(*TRIADS[0], embeddings)  # warm-up
    loop_times, fast_times = [], []
    for _ in range(args.repeats):
        for triad in TRIADS:  # the two versions in turn, so background load hits both alike
            slow_answer, seconds = timed(lambda: w2a1.complete_analogy(*triad, word_to_vec_map))
            loop_times.append(seconds)
            fast_answer, seconds = timed(lambda: w2a1.complete_analogy_fast(*triad, embeddings))
            fast_times.append(seconds)
            if slow_answer != fast_answer:
                raise SystemExit(f"the two versions disagree on {triad}: {slow_answer} vs {fast_answer}")
    loop, fast = statistics.median(loop_times), statistics.median(fast_times)
    report = "\n".join([
        "# W2A1 word analogies: loop vs one matrix product",
        "",
        f"Measured {date.today().isoformat()} with `.venv/bin/python benchmarks/analogy_speed.py` (part of "
        f"`make bench`): {len(TRIADS)} analogies x {args.repeats} repeats over all {len(embeddings.words):,} GloVe "
        "words, the two versions timed in turn; both give the same answers.",
        f"Machine: {machine_and_versions(np)}.",
        "",
        "| version | median time per analogy |",
        "|---|---|",
        f"| `complete_analogy` (loop over words) | {loop * 1e3:.0f} ms |",
        f"| `complete_analogy_fast` (one matrix product) | {fast * 1e3:.1f} ms |",
        f"| speed-up | {loop / fast:.0f}x |",
        "",
    ])
    RESULTS.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
