"""Graded-cell tests for "Beam Search and BLEU". Every expected value here can be worked out by hand."""
import math

import numpy as np

from utils.testing import GradedTestFailure, assert_close, assert_raises_value_error, passed

# Word ids of the hand-made models below: 0 <start>, 1 <end>, 2 "a", 3 "b".
START, END, A, B = 0, 1, 2, 3
# A model on which greedy search fails: it takes "a" (0.6), then <end> (0.4), P = 0.24, but "b <end>" has 0.36.
#   a <end> 0.24   a a <end> 0.18   a b <end> 0.18   b <end> 0.36   b a <end> 0.04
GREEDY_TRAP = {(): {A: 0.6, B: 0.4}, (A,): {END: 0.4, A: 0.3, B: 0.3}, (B,): {END: 0.9, A: 0.1},
               (A, A): {END: 1.0}, (A, B): {END: 1.0}, (B, A): {END: 1.0}}
# A model whose most likely output is the shortest: <end> 0.4, a <end> 0.3, a a <end> 0.3.
SHORT_OR_LONG = {(): {END: 0.4, A: 0.6}, (A,): {END: 0.5, A: 0.5}, (A, A): {END: 1.0}}
# Partly finished beams, width 2. Step 1 keeps "<end>" (0.45, finished) and "a" (0.4, live); step 2 keeps the
# two best extensions of "a", "a a" (0.2) and "a b" (0.12), both live; step 3 finishes both: 3 finished.
#   <end> 0.45   a a <end> 0.2   a b <end> 0.12   a <end> 0.08
PARTLY_FINISHED = {(): {END: 0.45, A: 0.4, B: 0.15}, (A,): {A: 0.5, B: 0.3, END: 0.2},
                   (A, A): {END: 1.0}, (A, B): {END: 1.0}}
# Width 2: step 1 keeps "a" (0.45, live) and "<end>" (0.35, finished); step 2 keeps "a <end>" (0.225) and
# "a a" (0.135): two have finished, so the search stops, and "a a", still live, is not returned.
FINISH_WHILE_LIVE = {(): {END: 0.35, A: 0.45, B: 0.2}, (A,): {END: 0.5, A: 0.3, B: 0.2},
                     (A, A): {END: 1.0}, (A, B): {END: 1.0}}


class _Model:
    """A hand-made next-word model: `rows[prefix]` = {word: probability} after `prefix` (the words after
    <start>). Like a real model, it answers for every prefix: one it has no row for (after <end>, say) gets
    the same probability for every word but <start>."""

    def __init__(self, rows, vocab_size=4):
        self.vocab_size = vocab_size
        self.rows = {}
        for prefix, row in rows.items():
            log_row = np.full(vocab_size, -np.inf)
            for token, p in row.items():
                log_row[token] = math.log(p)
            self.rows[tuple(prefix)] = log_row
        self.default = np.full(vocab_size, -math.log(vocab_size - 1))
        self.default[START] = -np.inf

    def __call__(self, prefixes):
        out = np.empty((len(prefixes), self.vocab_size))
        for i, prefix in enumerate(prefixes):
            prefix = [int(t) for t in prefix]
            if not prefix or prefix[0] != START:
                raise GradedTestFailure(f"every prefix given to next_log_probs must start with <start>, got {prefix}")
            out[i] = self.rows.get(tuple(prefix[1:]), self.default)
        return out


def _hypotheses(result, name="beam_search"):
    if not isinstance(result, list) or not result:
        raise GradedTestFailure(f"{name} should return a non-empty list of (tokens, log_prob) pairs, got {result!r}")
    out = []
    for item in result:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise GradedTestFailure(f"each hypothesis should be a (tokens, log_prob) pair, got {item!r}")
        tokens, log_prob = item
        out.append(([int(t) for t in tokens], float(log_prob)))
    return out


def _expect(result, expected, what):
    got = _hypotheses(result)
    if [tokens for tokens, _ in got] != [tokens for tokens, _ in expected]:
        raise GradedTestFailure(f"{what}: expected the hypotheses {[t for t, _ in expected]} in this order "
                                f"(tokens without <start>, with <end>), got {[t for t, _ in got]}")
    assert_close([lp for _, lp in got], [lp for _, lp in expected], f"{what}: the summed log-probabilities")


def beam_search_test(target):
    trap = _Model(GREEDY_TRAP)
    # Width 1 is greedy search.
    _expect(target(trap, START, END, beam_width=1, max_len=5), [([A, END], math.log(0.24))],
            "width 1 (greedy search)")
    # Width 2 keeps "b" after the first step and finds the most likely sentence.
    _expect(target(trap, START, END, beam_width=2, max_len=5),
            [([B, END], math.log(0.36)), ([A, END], math.log(0.24))], "width 2")
    # Width 3: "a a <end>" finishes a step later; length normalisation ranks it above the shorter "a <end>":
    # log(0.18) / 3**0.7 = -0.795 > log(0.24) / 2**0.7 = -0.878.
    _expect(target(trap, START, END, beam_width=3, max_len=5),
            [([B, END], math.log(0.36)), ([A, A, END], math.log(0.18)), ([A, END], math.log(0.24))],
            "width 3 with alpha = 0.7")
    _expect(target(trap, START, END, beam_width=3, max_len=5, alpha=0.0),
            [([B, END], math.log(0.36)), ([A, END], math.log(0.24)), ([A, A, END], math.log(0.18))],
            "width 3 with alpha = 0 (no length normalisation)")
    # alpha decides between a short and a long output.
    short_or_long = _Model(SHORT_OR_LONG)
    best_short = _hypotheses(target(short_or_long, START, END, beam_width=3, max_len=5, alpha=0.0))[0][0]
    best_long = _hypotheses(target(short_or_long, START, END, beam_width=3, max_len=5, alpha=1.0))[0][0]
    if best_short != [END] or best_long != [A, A, END]:
        raise GradedTestFailure(f"with alpha = 0 the best output should be [<end>] (P = 0.4) and with alpha = 1 "
                                f"[a, a, <end>] (log(0.3) / 3 is the highest score); got {best_short} and {best_long}")
    # Hypotheses still unfinished after max_len words are returned as they are.
    _expect(target(trap, START, END, beam_width=2, max_len=1),
            [([A], math.log(0.6)), ([B], math.log(0.4))], "width 2 with max_len = 1 (cut hypotheses)")
    # Partly finished beams: "<end>" finishes at step 1 and is set aside (never extended); the beam still keeps
    # beam_width live hypotheses at step 2. The lengths count <end> but not <start>: with alpha = 0.7,
    # log(0.2) / 3**0.7 = -0.746 > log(0.45) / 1 = -0.799 > log(0.12) / 3**0.7 = -0.983.
    partly = _Model(PARTLY_FINISHED)
    _expect(target(partly, START, END, beam_width=2, max_len=5),
            [([A, A, END], math.log(0.2)), ([END], math.log(0.45)), ([A, B, END], math.log(0.12))],
            "width 2, a hypothesis finished at step 1 (set it aside, keep beam_width live ones, never extend it)")
    # With alpha = 1: -0.536 (a a <end>), -0.707 (a b <end>), -0.799 (<end>).
    _expect(target(partly, START, END, beam_width=2, max_len=5, alpha=1.0),
            [([A, A, END], math.log(0.2)), ([A, B, END], math.log(0.12)), ([END], math.log(0.45))],
            "width 2 with alpha = 1 (the length of a hypothesis counts <end>, not <start>)")
    # Cut at max_len = 2: the hypothesis that finished early is returned with the two cut ones.
    _expect(target(partly, START, END, beam_width=2, max_len=2),
            [([END], math.log(0.45)), ([A, A], math.log(0.2)), ([A, B], math.log(0.12))],
            "width 2 cut at max_len = 2 (keep the finished hypothesis and add the live ones)")
    # Once beam_width hypotheses have finished, the ones still live are not returned.
    _expect(target(_Model(FINISH_WHILE_LIVE), START, END, beam_width=2, max_len=5),
            [([A, END], math.log(0.225)), ([END], math.log(0.35))],
            "width 2 when 2 hypotheses finish while \"a a\" is still live (the live one is not returned)")
    # Probability-0 continuations are never kept: this model allows only three sentences.
    if len(_hypotheses(target(short_or_long, START, END, beam_width=10, max_len=5))) != 3:
        raise GradedTestFailure("a hypothesis with probability 0 (log-probability -inf) must not enter the beam")
    assert_raises_value_error(target, trap, START, END, beam_width=0, mentions="beam_width")
    passed()


def modified_precision_test(target):
    candidate = "the the first of may".split()
    references = ["the first of may".split(), "may the first".split()]
    # "the" appears twice in the candidate but at most once in any reference: it counts once.
    for n, expected in [(1, (4, 5)), (2, (3, 4)), (3, (2, 3)), (4, (1, 2)), (5, (0, 1)), (6, (0, 0))]:
        result = target(candidate, references, n)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise GradedTestFailure(f"modified_precision should return (clipped matches, candidate n-grams), "
                                    f"got {result!r}")
        if tuple(int(x) for x in result) != expected:
            raise GradedTestFailure(f"modified_precision({' '.join(candidate)!r}, n={n}) should be {expected}, "
                                    f"got {result}")
    # Clipping takes the largest count in any one reference (here 2, from the second), not the sum over them.
    got = target("a a a b".split(), ["a b c".split(), "a a d".split()], 1)
    if tuple(int(x) for x in got) != (3, 4):
        raise GradedTestFailure(f"'a a a b' against ['a b c', 'a a d'] with n=1 should give (3, 4), got {got}")
    # The clip is the largest count in any one reference, whichever reference comes last.
    got = target("a a b".split(), ["a a b".split(), "a c".split()], 1)
    if tuple(int(x) for x in got) != (3, 3):
        raise GradedTestFailure(f"'a a b' against ['a a b', 'a c'] with n=1 should give (3, 3): the clip of 'a' is "
                                f"its largest count in any one reference (2, in the first); got {got}")
    if tuple(int(x) for x in target([], references, 1)) != (0, 0):
        raise GradedTestFailure("an empty candidate has no n-grams: expected (0, 0)")
    assert_raises_value_error(target, candidate, [], 1, mentions="reference")
    passed()


def brevity_penalty_test(target):
    for c, r, expected in [(10, 8, 1.0), (8, 8, 1.0), (4, 8, math.exp(-1)), (6, 8, math.exp(1 - 8 / 6)),
                           (0, 5, 0.0), (0, 0, 1.0)]:
        assert_close(target(c, r), expected, f"brevity_penalty({c}, {r})")
    assert_raises_value_error(target, -1, 3, mentions="length")
    passed()


def corpus_bleu_test(target):
    sentence = "the first of may nineteen fifty".split()
    assert_close(target([sentence], [[sentence]]), 1.0, "BLEU of a candidate equal to its reference")
    # Corpus BLEU pools the counts: p1 = (2 + 1) / (2 + 2), p2 = (1 + 0) / (1 + 1), BLEU = sqrt(3/4 * 1/2) = 0.61,
    # while the mean of the two sentence BLEUs would be (1 + 0) / 2 = 0.5 (the second has no matching pair).
    assert_close(target(["a b".split(), "c d".split()], [["a b".split()], ["c e".split()]], max_n=2),
                 math.sqrt(3 / 4 * 1 / 2), "corpus BLEU of ['a b', 'c d'] against ['a b'], ['c e'] with max_n = 2 "
                 "(sum the matches and n-gram counts over the sentences first; not the mean of sentence BLEUs)")
    # Corpus counts: p1 = (4 + 3) / (4 + 4), p2 = (3 + 2) / (3 + 3), lengths c = r = 8: BLEU = sqrt(7/8 * 5/6).
    candidates = ["may first nineteen fifty".split(), "the first of june".split()]
    references = [["the first of may nineteen fifty".split(), "may first nineteen fifty".split()],
                  ["the first of may".split()]]
    assert_close(target(candidates, references, max_n=2), math.sqrt(7 / 8 * 5 / 6),
                 "corpus BLEU with max_n = 2 (sum the counts over the corpus, then divide)")
    # Perfect precision but half the length: BP = exp(1 - 4 / 2).
    assert_close(target(["the first".split()], [["the first of may".split()]], max_n=2), math.exp(-1),
                 "BLEU of a short candidate (the brevity penalty)")
    # No 4-gram in common: p4 = 0, so BLEU = 0 (no smoothing).
    assert_close(target(["may first of the".split()], [["the first of may".split()]]), 0.0,
                 "BLEU when one n-gram order has no match")
    # The closest reference length is used (ties: the shorter one): 3 words against references of 2 and 4.
    assert_close(target([["a", "b", "c"]], [[["a", "b"], ["a", "b", "c", "d"]]], max_n=1), 1.0,
                 "BLEU with the closest reference length, ties to the shorter")
    # Several references of different lengths: r is the closest length (4 words), not the shortest (1) nor the
    # first; p1 = 1 and c = 3, so BLEU = BP = exp(1 - 4 / 3).
    assert_close(target([["a", "b", "c"]], [[["a"], ["a", "b", "c", "d"]]], max_n=1), math.exp(1 - 4 / 3),
                 "BLEU of 'a b c' against 'a' and 'a b c d' (r is the closest reference length, 4, not the "
                 "shortest)")
    assert_raises_value_error(target, candidates, references[:1], mentions="references")
    assert_raises_value_error(target, candidates, [references[0], []], mentions="reference")
    passed()
