"""Tests of the beam search and BLEU lab: the notebook's BLEU against sacrebleu on random and hand-made corpora,
its beam search against greedy and exhaustive search on hand-made and random models, utils/seq2seq.py's dates in
words and Keras translator, and bad input."""
import itertools
import math
import random
from datetime import date, timedelta

import numpy as np
import pytest
import sacrebleu

from utils.notebook_tools import ROOT, load_definitions
from utils.seq2seq import (END_ID, MONTHS, START_ID, TX, TY, WORDINGS, WORD_TO_ID, WORDS, YEAR_FORMS, TableModel,
                           Translator, date_wordings, encode_inputs, encode_targets, greedy_decode, ids_to_words,
                           load_word_dataset, most_likely_wording, number_to_words, ordinal_words,
                           sequence_log_prob, words_to_ids, year_words)

NOTEBOOK = ROOT / "Week-3/W3_Lab_Beam_Search_and_BLEU/Beam_Search_and_BLEU.ipynb"


@pytest.fixture(scope="module")
def lab():
    return load_definitions(NOTEBOOK)


# --- BLEU against sacrebleu --------------------------------------------------------------------------------------

def sacrebleu_score(candidates, references, max_n=4):
    """sacrebleu's corpus BLEU (0-100) with the plain formula on tokenised text (the notebook's settings)."""
    streams = [[" ".join(refs[k]) if k < len(refs) else None for refs in references]
               for k in range(max(len(refs) for refs in references))]
    metric = sacrebleu.metrics.BLEU(tokenize="none", smooth_method="none", force=True, max_ngram_order=max_n)
    return metric.corpus_score([" ".join(c) for c in candidates], streams).score


def random_corpus(rng):
    """Candidates and 1-4 references each, over a small vocabulary so that n-grams match often."""
    vocabulary = [f"w{i}" for i in range(rng.integers(2, 7))]
    size = int(rng.integers(1, 8))
    candidates, references = [], []
    for _ in range(size):
        reference_lengths = rng.integers(0, 12, size=rng.integers(1, 5))
        refs = [list(rng.choice(vocabulary, size=n)) for n in reference_lengths]
        kind = rng.integers(4)
        if kind == 0:  # a copy of a reference with a few words changed
            candidate = list(refs[0])
            for i in np.flatnonzero(rng.random(len(candidate)) < 0.3):
                candidate[i] = str(rng.choice(vocabulary))
        elif kind == 1:  # much shorter than the references, often empty
            candidate = list(rng.choice(vocabulary, size=rng.integers(0, 3)))
        elif kind == 2:  # longer than the references
            candidate = list(rng.choice(vocabulary, size=rng.integers(8, 16)))
        else:
            candidate = list(rng.choice(vocabulary, size=rng.integers(0, 12)))
        candidates.append([str(w) for w in candidate])
        references.append([[str(w) for w in ref] for ref in refs])
    return candidates, references


@pytest.mark.parametrize("seed", range(10))
def test_bleu_equals_sacrebleu_on_random_corpora(lab, seed):
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(40):
        candidates, references = random_corpus(rng)
        for max_n in (1, 2, 4):
            ours = 100 * lab.corpus_bleu(candidates, references, max_n=max_n)
            assert ours == pytest.approx(sacrebleu_score(candidates, references, max_n), abs=1e-6)
            scores.append(ours)
    assert any(s == 0 for s in scores) and any(0 < s < 100 for s in scores)  # both regimes are exercised


def test_bleu_equals_sacrebleu_when_nothing_matches_or_candidates_are_empty(lab):
    references = [[["a", "b", "c", "d"]], [["e", "f"], ["g"]]]
    for candidates in ([["x", "y"], ["z"]], [[], []], [[], ["e", "f"]], [["a", "b", "c", "d"], []]):
        ours = 100 * lab.corpus_bleu(candidates, references)
        assert ours == pytest.approx(sacrebleu_score(candidates, references), abs=1e-6)
    assert lab.corpus_bleu([[], []], references) == 0.0


def test_bleu_hand_made_cases(lab):
    sentence = "the twenty first of august twenty sixteen".split()
    assert lab.corpus_bleu([sentence], [[sentence]]) == pytest.approx(1.0)
    refs = [["the twenty first of august twenty sixteen".split(), "august the twenty first twenty sixteen".split()]]
    wrong_year = "august the twenty first twenty seventeen".split()
    no_year = "august the twenty first".split()
    assert lab.corpus_bleu([wrong_year], refs) == pytest.approx((1 / 3) ** 0.25)  # 5/6 * 4/5 * 3/4 * 2/3 = 1/3
    assert lab.corpus_bleu([no_year], refs) == pytest.approx(math.exp(1 - 6 / 4))
    corpus = math.exp(1 - 12 / 10) * (9 / 10 * 7 / 8 * 5 / 6 * 3 / 4) ** 0.25
    assert lab.corpus_bleu([wrong_year, no_year], refs * 2) == pytest.approx(corpus)
    for candidates, references in [([wrong_year], refs), ([no_year], refs), ([wrong_year, no_year], refs * 2)]:
        assert 100 * lab.corpus_bleu(candidates, references) == pytest.approx(
            sacrebleu_score(candidates, references), abs=1e-6)


def test_modified_precision_clips_by_the_largest_count_in_one_reference(lab):
    assert lab.modified_precision("a a a a".split(), ["a b".split(), "a a c".split()], 1) == (2, 4)
    assert lab.modified_precision("a b".split(), ["b a".split()], 2) == (0, 1)
    assert lab.modified_precision("a".split(), ["a".split()], 2) == (0, 0)


def test_closest_reference_length_prefers_the_shorter_on_a_tie(lab):
    assert lab.closest_reference_length(5, [4, 6]) == 4
    assert lab.closest_reference_length(5, [6, 4]) == 4
    assert lab.closest_reference_length(5, [9, 7, 2]) == 7
    assert lab.closest_reference_length(0, [3, 1]) == 1


def test_brevity_penalty_is_continuous_and_at_most_one(lab):
    values = [lab.brevity_penalty(c, 10) for c in range(0, 15)]
    assert values[0] == 0 and values[10:] == [1.0] * 5
    assert all(a < b for a, b in zip(values[:10], values[1:11]))


def test_bleu_bad_input_is_a_value_error(lab):
    with pytest.raises(ValueError, match="reference"):
        lab.corpus_bleu([["a"]], [[]])
    with pytest.raises(ValueError, match="reference"):
        lab.modified_precision(["a"], [], 1)
    with pytest.raises(ValueError, match="2 candidates but 1"):
        lab.corpus_bleu([["a"], ["b"]], [[["a"]]])
    with pytest.raises(ValueError, match="empty"):
        lab.corpus_bleu([], [])
    with pytest.raises(ValueError, match="max_n"):
        lab.corpus_bleu([["a"]], [[["a"]]], max_n=0)
    with pytest.raises(ValueError, match="lists of words"):
        lab.modified_precision("a b", ["a b"], 1)  # strings would be read character by character
    with pytest.raises(ValueError, match="n must be"):
        lab.modified_precision(["a"], [["a"]], 0)
    with pytest.raises(ValueError, match="negative"):
        lab.brevity_penalty(3, -1)


# --- Beam search -------------------------------------------------------------------------------------------------

class RandomTreeModel:
    """A model with a random next-token distribution for every prefix (drawn from the prefix and a seed)."""

    def __init__(self, vocab_size=5, seed=0, start_token=0, end_token=1, concentration=0.5):
        self.vocab_size, self.seed, self.start_token, self.end_token = vocab_size, seed, start_token, end_token
        self.concentration = concentration

    def __call__(self, prefixes):
        rows = []
        for prefix in prefixes:
            assert prefix[0] == self.start_token
            rng = np.random.default_rng([self.seed, *[int(t) for t in prefix]])
            p = rng.dirichlet(np.full(self.vocab_size, self.concentration))
            p[self.start_token] = 0.0  # never generated
            with np.errstate(divide="ignore"):
                rows.append(np.log(p / p.sum()))
        return np.array(rows)


def all_outputs(model, max_len):
    """Every output the beam can return with an unlimited width: sentences that end with <end> within max_len
    tokens, and those cut at max_len; as (tokens, log_prob)."""
    outputs = []
    tokens = [t for t in range(model.vocab_size) if t != model.start_token]
    for length in range(1, max_len + 1):
        for sequence in itertools.product(tokens, repeat=length):
            ends = [i for i, t in enumerate(sequence) if t == model.end_token]
            if (ends and ends[0] == length - 1) or (not ends and length == max_len):
                outputs.append((list(sequence), sequence_log_prob(model, model.start_token, sequence)))
    return outputs


@pytest.mark.parametrize("seed", range(12))
def test_beam_width_one_is_greedy_search(lab, seed):
    model = RandomTreeModel(vocab_size=6, seed=seed)
    greedy = greedy_decode(model, 0, 1, max_len=6)
    hypotheses = lab.beam_search(model, 0, 1, beam_width=1, max_len=6)
    assert hypotheses == [greedy]


def test_beam_width_one_is_greedy_search_on_the_keras_translator(lab):
    import keras
    keras.utils.set_random_seed(3)
    translator = Translator(n_a=4, embedding_dim=4)  # untrained: wandering outputs, often cut at max_len
    for next_log_probs in translator.log_prob_functions(["3 may 2001", "12/31/99", "the 4th of july 1976"]):
        greedy = greedy_decode(next_log_probs, START_ID, END_ID, max_len=TY)
        assert lab.beam_search(next_log_probs, START_ID, END_ID, beam_width=1, max_len=TY) == [greedy]


@pytest.mark.parametrize("seed", range(8))
def test_an_unlimited_beam_is_exhaustive_search(lab, seed):
    model = RandomTreeModel(vocab_size=4, seed=100 + seed)
    outputs = all_outputs(model, max_len=4)
    for alpha in (0.0, 0.7, 1.0):
        hypotheses = lab.beam_search(model, 0, 1, beam_width=1000, max_len=4, alpha=alpha)
        assert sorted(map(tuple, (h[0] for h in hypotheses))) == sorted(map(tuple, (o[0] for o in outputs)))
        best = max(outputs, key=lambda o: lab.normalised_score(o[1], len(o[0]), alpha))
        assert hypotheses[0][0] == best[0]


@pytest.mark.parametrize("seed", range(8))
def test_hypotheses_are_sorted_and_carry_their_log_probabilities(lab, seed):
    model = RandomTreeModel(vocab_size=7, seed=200 + seed)
    for width in (2, 3, 5):
        hypotheses = lab.beam_search(model, 0, 1, beam_width=width, max_len=5, alpha=0.7)
        assert len(hypotheses) >= 1
        scores = [lab.normalised_score(lp, len(tokens), 0.7) for tokens, lp in hypotheses]
        assert scores == sorted(scores, reverse=True)
        for tokens, log_prob in hypotheses:
            assert log_prob == pytest.approx(sequence_log_prob(model, 0, tokens))
            assert 1 not in tokens[:-1] and len(tokens) <= 5
            assert tokens[-1] == 1 or len(tokens) == 5  # finished, or cut at max_len


def test_beam_search_finds_the_best_sentence_where_greedy_fails(lab):
    words = ["<start>", "<end>", "the", "first", "of", "may"]
    toy = TableModel.from_words({
        "": {"the": 0.4, "may": 0.6}, "the": {"first": 1.0}, "the first": {"of": 1.0},
        "the first of": {"may": 1.0}, "the first of may": {"<end>": 1.0},
        "may": {"first": 0.55, "the": 0.45}, "may first": {"<end>": 1.0}, "may the": {"first": 1.0},
        "may the first": {"<end>": 1.0}}, words)
    greedy, greedy_log_prob = greedy_decode(toy, 0, 1, max_len=10)
    assert greedy == [5, 3, 1] and greedy_log_prob == pytest.approx(math.log(0.33))
    for alpha in (0.0, 0.7, 1.0):
        best, log_prob = lab.beam_search(toy, 0, 1, beam_width=2, max_len=10, alpha=alpha)[0]
        assert best == [2, 3, 4, 5, 1] and log_prob == pytest.approx(math.log(0.4))


def test_length_normalisation_is_as_defined(lab):
    assert lab.normalised_score(-2.0, 4, 0.0) == -2.0
    assert lab.normalised_score(-2.0, 4, 1.0) == pytest.approx(-0.5)
    assert lab.normalised_score(-2.0, 4, 0.5) == pytest.approx(-1.0)
    # <end> alone (0.4) against a a <end> (0.3): alpha decides, with the crossover where
    # log(0.4) = log(0.3) / 3**alpha, alpha = log(log 0.3 / log 0.4) / log 3 = 0.2512.
    toy = TableModel({(): {1: 0.4, 2: 0.6}, (2,): {1: 0.5, 2: 0.5}, (2, 2): {1: 1.0}}, vocab_size=3, start_token=0)
    crossover = math.log(math.log(0.3) / math.log(0.4)) / math.log(3)
    assert lab.beam_search(toy, 0, 1, beam_width=3, alpha=crossover - 0.01)[0][0] == [1]
    assert lab.beam_search(toy, 0, 1, beam_width=3, alpha=crossover + 0.01)[0][0] == [2, 2, 1]


def test_beam_stops_after_beam_width_hypotheses_finish(lab):
    toy = TableModel({(): {1: 0.5, 2: 0.5}, (2,): {1: 0.5, 2: 0.5}, (2, 2): {1: 1.0}}, vocab_size=3, start_token=0)
    assert len(lab.beam_search(toy, 0, 1, beam_width=1)) == 1  # <end> and 2 tie: the lower id, <end>, finishes
    hypotheses = lab.beam_search(toy, 0, 1, beam_width=2)
    assert sorted(len(t) for t, _ in hypotheses) == [1, 2]  # the third sentence is never reached
    assert toy.calls == 2 + 1  # two steps for width 2 (one for width 1)


@pytest.mark.parametrize("width", [0, -1, 1.5, "3", True])
def test_a_bad_beam_width_is_a_value_error(lab, width):
    with pytest.raises(ValueError, match="beam_width"):
        lab.beam_search(RandomTreeModel(), 0, 1, beam_width=width)


def test_a_bad_max_len_is_a_value_error(lab):
    with pytest.raises(ValueError, match="max_len"):
        lab.beam_search(RandomTreeModel(), 0, 1, beam_width=2, max_len=0)
    with pytest.raises(ValueError, match="max_len"):
        greedy_decode(RandomTreeModel(), 0, 1, max_len=0)


# --- The hand-made table model -----------------------------------------------------------------------------------

def test_table_model_rows_and_errors():
    toy = TableModel({(): {1: 0.25, 2: 0.75}}, vocab_size=3, start_token=0)
    out = toy([[0]])
    assert out.shape == (1, 3) and out[0, 0] == -np.inf and out[0, 2] == pytest.approx(math.log(0.75))
    with pytest.raises(ValueError, match="no row"):
        toy([[0, 2]])
    with pytest.raises(ValueError, match="start token"):
        toy([[2]])
    with pytest.raises(ValueError, match="sum to 1"):
        TableModel({(): {1: 0.5}}, vocab_size=3, start_token=0)
    with pytest.raises(ValueError, match="outside"):
        TableModel({(): {7: 1.0}}, vocab_size=3, start_token=0)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        TableModel.from_words({"": {"may": 1.0}}, ["<start>", "<end>"])


# --- Dates in words ----------------------------------------------------------------------------------------------

def test_numbers_and_ordinals_in_words():
    assert [number_to_words(n) for n in (0, 7, 13, 20, 21, 99, 100, 105, 1950, 2016, 9999)] == [
        "zero", "seven", "thirteen", "twenty", "twenty one", "ninety nine", "one hundred", "one hundred five",
        "one thousand nine hundred fifty", "two thousand sixteen", "nine thousand nine hundred ninety nine"]
    assert [ordinal_words(n) for n in (1, 2, 3, 12, 20, 21, 30, 31, 42)] == [
        "first", "second", "third", "twelfth", "twentieth", "twenty first", "thirtieth", "thirty first",
        "forty second"]
    assert year_words(1950) == {"nineteen fifty": 1.0}
    assert year_words(1905) == {"nineteen oh five": 1.0} and year_words(1900) == {"nineteen hundred": 1.0}
    assert year_words(2005) == {"two thousand five": 1.0}
    assert year_words(2016) == {"two thousand sixteen": YEAR_FORMS["number"], "twenty sixteen": YEAR_FORMS["pairs"]}
    for bad in (-1, 10000, 2.5, True, "7"):
        with pytest.raises(ValueError):
            number_to_words(bad)
    with pytest.raises(ValueError):
        ordinal_words(0)


def test_every_date_has_wordings_that_sum_to_one_and_fit_the_model():
    day = date(1950, 1, 1)
    while day <= date(2049, 12, 31):
        wordings = date_wordings(day)
        assert sum(wordings.values()) == pytest.approx(1.0)
        assert len(wordings) == (6 if day.year >= 2010 else 3)
        assert list(wordings.values()) == sorted(wordings.values(), reverse=True)
        for text in wordings:
            assert len(words_to_ids(text, TY)) == TY  # every word is known and the longest fits
            assert MONTHS[day.month - 1] in text.split()
        day += timedelta(days=1)
    assert most_likely_wording("2016-08-21") == "the twenty first of august twenty sixteen"
    assert most_likely_wording("1999-12-31") == "the thirty first of december nineteen ninety nine"
    assert sum(WORDINGS.values()) == pytest.approx(1.0) and sum(YEAR_FORMS.values()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="ISO"):
        date_wordings("2016-02-30")


def test_word_dataset_is_reproducible_and_follows_the_probabilities():
    random.seed(5)
    before = random.random()
    random.seed(5)
    first = load_word_dataset(2000, seed=4)
    assert random.random() == before  # the global random state is left alone
    assert load_word_dataset(2000, seed=4) == first and load_word_dataset(2000, seed=5) != first
    assert all(wording in date_wordings(iso) for _, iso, wording in first)
    share_the = np.mean([wording.startswith("the ") for _, _, wording in first])
    assert abs(share_the - WORDINGS["the {day} of {month} {year}"]) < 0.04


def test_encodings_round_trip_and_reject_bad_input():
    previous, targets, weights = encode_targets(["the first of may nineteen fifty", "may first nineteen fifty"])
    assert previous.shape == targets.shape == weights.shape == (2, TY)
    assert previous[0, 0] == START_ID and list(previous[0, 1:]) == list(targets[0, :-1])
    assert ids_to_words(targets[0]) == "the first of may nineteen fifty" and weights[1].sum() == 5
    assert ids_to_words([START_ID, WORD_TO_ID["may"], END_ID, WORD_TO_ID["may"]]) == "may"
    with pytest.raises(ValueError, match="outside the vocabulary"):
        words_to_ids("the first of maybe")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        words_to_ids("the <end> may")
    with pytest.raises(ValueError, match="Ty"):
        words_to_ids("the first of may " * 3, TY)
    with pytest.raises(ValueError, match="empty"):
        encode_inputs(["3 may 2001", "  "])
    with pytest.raises(ValueError, match="list of texts"):
        encode_inputs("3 may 2001")
    assert encode_inputs(["3 may 2001"]).shape == (1, TX)


# --- The Keras translator ----------------------------------------------------------------------------------------

def test_translator_step_function_matches_teacher_forcing():
    import keras
    keras.utils.set_random_seed(1)
    translator = Translator(n_a=8, embedding_dim=8)
    texts = ["3 may 2001", "tue 21 aug 2016", "12/31/99"]
    wordings = ["the third of may two thousand one", "august twenty first twenty sixteen",
                "december the thirty first nineteen ninety nine"]
    functions = translator.log_prob_functions(texts)
    stepwise = [sequence_log_prob(f, START_ID, words_to_ids(w)) for f, w in zip(functions, wordings)]
    np.testing.assert_allclose(translator.sequence_log_probs(texts, wordings), stepwise, atol=1e-4)
    # A batch of prefixes gives one normalised row of log-probabilities per prefix.
    rows = functions[0]([[START_ID, WORD_TO_ID["the"]], [START_ID, WORD_TO_ID["may"]]])
    assert rows.shape == (2, len(WORDS))
    np.testing.assert_allclose(np.exp(rows).sum(axis=1), 1.0, atol=1e-5)
    # The decoder shares the training model's layers: training changes what it predicts.
    layer_ids = {id(w) for w in translator.model.weights}
    assert {id(w) for w in translator.decoder.weights} <= layer_ids
    assert {id(w) for w in translator.encoder.weights} <= layer_ids
    with pytest.raises(ValueError, match="prefixes"):
        functions[0]([])
    with pytest.raises(ValueError, match="wordings"):
        translator.sequence_log_probs(texts, wordings[:2])
