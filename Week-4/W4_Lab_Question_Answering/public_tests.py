"""Graded-cell tests for "Question Answering with a Transformer Encoder". Every expected value can be worked out by
hand from the small examples below."""
import numpy as np

from utils.testing import GradedTestFailure, assert_raises_value_error, passed

STORY = ("dara went to the kitchen . hugo moved to the living room . dara walked into the back garden . "
         "hugo ran to the kitchen .").split()
# positions: dara 0, kitchen 4, hugo 6, living room 10-11, dara 13, back garden 17-18, hugo 20, kitchen 24


def _span(result, name):
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradedTestFailure(f"{name} should return a (start, end) tuple, got {result!r}")
    try:
        return int(result[0]), int(result[1])
    except (TypeError, ValueError):
        raise GradedTestFailure(f"{name} should return two integer positions, got {result!r}") from None


def _expect_span(got, expected, what, name):
    got = _span(got, name)
    if got != expected:
        raise GradedTestFailure(f"{what}: expected (start, end) = {expected}, got {got}")


def find_answer_span_test(target):
    name = "find_answer_span"
    # One word, found once.
    _expect_span(target(STORY, ["living", "room"]), (10, 11), "a two-word answer found once", name)
    # "kitchen" appears twice: without a person, the last occurrence wins.
    _expect_span(target(STORY, ["kitchen"]), (24, 24), "'kitchen' appears at 4 and 24; without a person the "
                 "last occurrence", name)
    # With a person, only sentences that mention that person count: dara's kitchen is at 4, not hugo's at 24.
    _expect_span(target(STORY, ["kitchen"], person="dara"), (4, 4),
                 "the kitchen of dara's sentence (hugo's later 'kitchen' is not about dara)", name)
    _expect_span(target(STORY, ["back", "garden"], person="dara"), (17, 18),
                 "dara's last move, 'back garden'", name)
    _expect_span(target(STORY, ["kitchen"], person="hugo"), (24, 24), "hugo's last move, 'kitchen'", name)
    # The whole answer must match, in order: "room" alone is found inside "living room".
    _expect_span(target(STORY, ["room"]), (11, 11), "a one-word answer inside a longer place", name)
    # A story that is exactly the answer; and a story without sentence ends.
    _expect_span(target(["attic"], ["attic"]), (0, 0), "a one-token story", name)
    _expect_span(target("ines ran to the bus stop".split(), ["bus", "stop"], person="ines"), (4, 5),
                 "a story whose last sentence has no '.'", name)
    # Bad input: an empty answer, and answers not found (anywhere, or in a sentence about the person).
    assert_raises_value_error(target, STORY, [], mentions="empty")
    assert_raises_value_error(target, STORY, ["attic"], mentions="not found")
    assert_raises_value_error(target, STORY, ["living", "room"], person="dara", mentions="not found")
    assert_raises_value_error(target, STORY, ["room", "living"], mentions="not found")
    passed()


def best_span_test(target):
    name = "best_span"
    start = np.array([0.0, 2.0, 1.0, 0.0, 0.0])
    end = np.array([0.0, 0.0, 1.0, 3.0, 0.0])
    # Unconstrained, the best pair is start 1 (2.0) + end 3 (3.0) = 5.0, a span of three tokens.
    _expect_span(target(start, end, max_len=3), (1, 3), "max_len = 3: start 1 + end 3 = 5.0", name)
    # With max_len = 2 the span 1..3 is too long: start 2 + end 3 = 4.0 beats start 1 + end 2 = 3.0.
    _expect_span(target(start, end, max_len=2), (2, 3), "max_len = 2: spans of at most 2 tokens", name)
    # max_len = 1: one token, start = end: the best s with start[s] + end[s] is 3 (0 + 3).
    _expect_span(target(start, end, max_len=1), (3, 3), "max_len = 1: start = end", name)
    # The end may not come before the start, even when that pair has the highest sum.
    _expect_span(target(np.array([0.0, 0.0, 5.0]), np.array([4.0, 0.0, 0.0]), max_len=3), (2, 2),
                 "end before start is not allowed (start 2 + end 0 = 9 must be ignored)", name)
    # Masked positions (very negative logits) are never chosen.
    masked = np.array([-1e9, -1e9, 0.5, 0.1])
    _expect_span(target(masked, np.array([-1e9, -1e9, 0.0, 0.3]), max_len=4), (2, 3), "masked positions", name)
    # Ties: the earliest start, then the earliest end (what np.argmax gives on the flattened scores).
    _expect_span(target(np.zeros(4), np.zeros(4), max_len=2), (0, 0), "all-equal logits: the first span", name)
    # A single position.
    _expect_span(target(np.array([1.0]), np.array([1.0]), max_len=3), (0, 0), "a single position", name)
    assert_raises_value_error(target, np.zeros(3), np.zeros(4), max_len=2, mentions="shape")
    assert_raises_value_error(target, np.zeros(3), np.zeros(3), max_len=0, mentions="max_len")
    assert_raises_value_error(target, np.zeros((2, 3)), np.zeros((2, 3)), max_len=2, mentions="1-D")
    passed()


def _number(value, name):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise GradedTestFailure(f"{name} should return a number, got {value!r}") from None


def qa_exact_match_test(target):
    cases = [("living room", "living room", 1.0), ("The Living Room.", "living room", 1.0),
             ("living  room", "living room", 1.0), ("dining room", "living room", 0.0),
             ("room", "living room", 0.0), ("", "", 1.0), ("", "kitchen", 0.0)]
    for prediction, truth, expected in cases:
        got = _number(target(prediction, truth), "qa_exact_match")
        if got != expected:
            raise GradedTestFailure(f"qa_exact_match({prediction!r}, {truth!r}) should be {expected}, got {got} "
                                    f"(compare the normalised answers: lower case, no punctuation, no articles)")
    assert_raises_value_error(target, ["living", "room"], "living room", mentions="string")
    passed()


def qa_f1_test(target):
    cases = [("living room", "living room", 1.0),
             ("the kitchen!", "Kitchen", 1.0),                 # articles, punctuation and case do not count
             ("back garden", "garden", 2 * 0.5 * 1.0 / 1.5),   # precision 1/2, recall 1/1
             ("dining room", "living room", 0.5),              # "room" shared: precision = recall = 1/2
             ("room room", "living room", 0.5),                # "room" counts once: precision 1/2, recall 1/2
             ("old fire station", "north car park", 0.0),      # nothing shared
             ("", "", 1.0), ("", "kitchen", 0.0), ("kitchen", "", 0.0),  # empty answers: 1 only if both empty
             ("the", "kitchen", 0.0)]                          # "the" normalises to nothing
    for prediction, truth, expected in cases:
        got = _number(target(prediction, truth), "qa_f1")
        if not np.isclose(got, expected, atol=1e-9):
            raise GradedTestFailure(f"qa_f1({prediction!r}, {truth!r}) should be {expected:.4f}, got {got:.4f}")
    assert_raises_value_error(target, "kitchen", None, mentions="string")
    passed()
