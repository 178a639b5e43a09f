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


def _expect_span(target, args, kwargs, expected, what):
    """Fail unless target(*args, **kwargs) returns the span `expected`; a ValueError there is explained."""
    name = target.__name__
    try:
        result = target(*args, **kwargs)
    except ValueError as error:
        raise GradedTestFailure(f"{what}: expected (start, end) = {expected}, but {name} raised ValueError "
                                f"({error}) on valid input: check which sentences and which positions you "
                                "look at") from None
    got = _span(result, name)
    if got != expected:
        raise GradedTestFailure(f"{what}: expected (start, end) = {expected}, got {got}")


def find_answer_span_test(target):
    def expect(answer, expected, what, person=None, story=STORY):
        _expect_span(target, (story, answer), {"person": person}, expected, what)

    # A two-word answer found once: the end is inclusive, the positions count from the start of the story.
    expect(["living", "room"], (10, 11), "a two-word answer found once, positions in the whole story, end inclusive")
    # "kitchen" appears twice: without a person, the last occurrence wins.
    expect(["kitchen"], (24, 24), "'kitchen' appears at 4 and 24; without a person the last occurrence")
    # With a person, only sentences that mention that person count: dara's kitchen is at 4, not hugo's at 24.
    expect(["kitchen"], (4, 4), "the kitchen of dara's sentence (hugo's later 'kitchen' is not about dara: "
           "look for the person in each sentence)", person="dara")
    expect(["back", "garden"], (17, 18), "dara's last move, 'back garden'", person="dara")
    expect(["kitchen"], (24, 24), "hugo's last move, 'kitchen'", person="hugo")
    # The whole answer must match, in order: "room" alone is found inside "living room".
    expect(["room"], (11, 11), "a one-word answer inside a longer place")
    # A story that is exactly the answer; and a story without sentence ends.
    expect(["attic"], (0, 0), "a one-token story (the window may start at the last token)", story=["attic"])
    expect(["bus", "stop"], (4, 5), "a story whose last sentence has no '.' and ends with the answer",
           person="ines", story="ines ran to the bus stop".split())
    # Bad input: an empty answer, and answers not found (anywhere, or in a sentence about the person).
    assert_raises_value_error(target, STORY, [], mentions="empty")
    assert_raises_value_error(target, STORY, ["attic"], mentions="not found")
    assert_raises_value_error(target, STORY, ["living", "room"], person="dara", mentions="not found")
    assert_raises_value_error(target, STORY, ["room", "living"], mentions="not found")
    assert_raises_value_error(target, STORY, ["living", "kitchen"], mentions="not found")
    passed()


def _check_best(target, start, end, max_len):
    """Fail unless target's span is allowed and reaches the best score (brute force over all pairs)."""
    call = f"best_span(start_logits, end_logits, max_len={max_len}) on {len(start)} random positions"
    try:
        got = _span(target(start, end, max_len=max_len), "best_span")
    except ValueError as error:
        raise GradedTestFailure(f"{call} raised ValueError ({error}) on valid input") from None
    i, j = got
    if not (0 <= i < len(start) and 0 <= j < len(start)):
        raise GradedTestFailure(f"{call} returned {got}, outside the positions 0..{len(start) - 1}")
    if j < i:
        raise GradedTestFailure(f"{call} returned {got}: the end comes before the start; allow only j >= i")
    if j - i >= max_len:
        raise GradedTestFailure(f"{call} returned {got}, a span of {j - i + 1} tokens: at most max_len = {max_len} "
                                "(j - i < max_len)")
    best = max(start[a] + end[b] for a in range(len(start)) for b in range(a, min(a + max_len, len(start))))
    if not np.isclose(start[i] + end[j], best, atol=1e-12):
        raise GradedTestFailure(f"{call} returned {got} with s_i + e_j = {start[i] + end[j]:.4f}, but an allowed "
                                f"span reaches {best:.4f}: maximise the sum start_logits[i] + end_logits[j] over "
                                "the allowed pairs together (rows: start i, columns: end j)")


def best_span_test(target):
    def expect(start, end, max_len, expected, what):
        _expect_span(target, (start, end), {"max_len": max_len}, expected, what)

    start = np.array([0.0, 2.0, 1.0, 0.0, 0.0])
    end = np.array([0.0, 0.0, 1.0, 3.0, 0.0])
    # Unconstrained, the best pair is start 1 (2.0) + end 3 (3.0) = 5.0, a span of three tokens.
    expect(start, end, 3, (1, 3), "max_len = 3: start 1 + end 3 = 5.0")
    # With max_len = 2 the span 1..3 is too long: start 2 + end 3 = 4.0 beats start 1 + end 2 = 3.0.
    expect(start, end, 2, (2, 3), "max_len = 2: spans of at most 2 tokens (j - i < max_len)")
    # max_len = 1: one token, start = end: the best s with start[s] + end[s] is 3 (0 + 3).
    expect(start, end, 1, (3, 3), "max_len = 1: start = end")
    # The end may not come before the start, even when that pair has the highest sum.
    expect(np.array([0.0, 0.0, 5.0]), np.array([4.0, 0.0, 0.0]), 3, (2, 2),
           "end before start is not allowed (start 2 + end 0 = 9 must be ignored)")
    # Masked positions (very negative logits) are never chosen.
    masked = np.array([-1e9, -1e9, 0.5, 0.1])
    expect(masked, np.array([-1e9, -1e9, 0.0, 0.3]), 4, (2, 3), "masked positions")
    # Ties: the earliest start, then the earliest end (what np.argmax gives on the flattened scores).
    expect(np.zeros(4), np.zeros(4), 2, (0, 0), "all-equal logits: the first span")
    # A single position.
    expect(np.array([1.0]), np.array([1.0]), 3, (0, 0), "a single position")
    # Logits like a model's (of both signs): whatever the answer, it must be allowed and the best allowed.
    rng = np.random.RandomState(3)
    for trial in range(20):
        length = rng.randint(2, 13)
        _check_best(target, rng.randn(length) * 3, rng.randn(length) * 3, max_len=int(rng.randint(1, 5)))
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
    cases = [("living room", "living room", 1.0, "the same answer"),
             ("The Living Room.", "living room", 1.0, "case, punctuation and articles do not count"),
             ("living room", "The Living-Room!", 0.0, "'livingroom' is one word after normalisation"),
             ("living room", "The living room!", 1.0, "normalise the truth too"),
             ("a kitchen", "kitchen", 1.0, "the article 'a' does not count"),
             ("living  room", "living room", 1.0, "runs of spaces count as one"),
             ("dining room", "living room", 0.0, "another answer"),
             ("room", "living room", 0.0, "a part of the answer is not an exact match"),
             ("living room", "room", 0.0, "a longer answer is not an exact match"),
             ("room living", "living room", 0.0, "the words must come in the same order"),
             ("", "", 1.0, "two empty answers are equal"),
             ("", "kitchen", 0.0, "an empty prediction")]
    for prediction, truth, expected, why in cases:
        got = _number(target(prediction, truth), "qa_exact_match")
        if got != expected:
            raise GradedTestFailure(f"qa_exact_match({prediction!r}, {truth!r}) should be {expected}, got {got}: "
                                    f"{why} (compare the two answers after normalize_answer)")
    assert_raises_value_error(target, ["living", "room"], "living room", mentions="string")
    passed()


def qa_f1_test(target):
    cases = [("living room", "living room", 1.0, "the same answer"),
             ("the kitchen!", "Kitchen", 1.0, "articles, punctuation and case do not count: normalise both"),
             ("back garden", "garden", 2 * 0.5 * 1.0 / 1.5, "precision 1/2, recall 1/1"),
             ("garden", "back garden", 2 * 1.0 * 0.5 / 1.5, "precision 1/1, recall 1/2"),
             ("dining room", "living room", 0.5, "'room' shared: precision = recall = 1/2"),
             ("room room", "living room", 0.5, "'room' counts once: the smaller of its two counts"),
             ("bus stop bus", "bus bus stop", 1.0, "'bus' twice on both sides: count shared tokens with "
                                                   "multiplicity (Counter & Counter)"),
             ("post office", "office post", 1.0, "F1 ignores the order of the tokens"),
             ("station", "train station", 2 * 1.0 * 0.5 / 1.5, "a token is a word, not a character"),
             ("old fire station", "north car park", 0.0, "nothing shared (tokens, not characters)"),
             ("", "", 1.0, "both empty"), ("", "kitchen", 0.0, "an empty prediction"),
             ("kitchen", "", 0.0, "an empty truth"),
             ("the", "kitchen", 0.0, "'the' normalises to nothing")]
    for prediction, truth, expected, why in cases:
        try:
            got = _number(target(prediction, truth), "qa_f1")
        except ZeroDivisionError:
            raise GradedTestFailure(f"qa_f1({prediction!r}, {truth!r}) divided by zero: when no token is shared "
                                    "(or an answer is empty) return F1 = 0 (or 1 if both are empty)") from None
        if not np.isclose(got, expected, atol=1e-9):
            raise GradedTestFailure(f"qa_f1({prediction!r}, {truth!r}) should be {expected:.4f}, got {got:.4f}: "
                                    f"{why}")
    assert_raises_value_error(target, "kitchen", None, mentions="string")
    passed()
