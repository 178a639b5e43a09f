"""Graded-cell tests for "Named-Entity Recognition". Every expected value here can be worked out by hand."""
from utils.testing import GradedTestFailure, assert_close, assert_keys, assert_raises_value_error, passed


def _spans(result, call):
    if not isinstance(result, list):
        raise GradedTestFailure(f"{call} should return a list of (type, start, end) tuples, got {type(result).__name__}")
    spans = []
    for item in result:
        if not (isinstance(item, (tuple, list)) and len(item) == 3):
            raise GradedTestFailure(f"{call}: each entity should be a (type, start, end) tuple, got {item!r}")
        spans.append((str(item[0]), int(item[1]), int(item[2])))
    return spans


def bio_to_spans_test(target):
    cases = [
        (["B-PER", "I-PER", "O", "B-LOC"], [("PER", 0, 2), ("LOC", 3, 4)], "two entities; end is exclusive"),
        (["O", "O", "O"], [], "no entity"),
        ([], [], "an empty sentence"),
        (["O", "B-DATE", "I-DATE", "I-DATE"], [("DATE", 1, 4)], "an entity that ends with the sentence"),
        (["B-PER", "B-PER"], [("PER", 0, 1), ("PER", 1, 2)], "B- always starts a new entity, even after the same type"),
        (["B-PER", "I-ORG", "I-ORG"], [("PER", 0, 1), ("ORG", 1, 3)], "I- of another type starts a new entity"),
        (["O", "I-ORG", "I-ORG", "O"], [("ORG", 1, 3)], "I- after O starts an entity (CoNLL rule)"),
        (["B-SKILL", "O", "I-SKILL"], [("SKILL", 0, 1), ("SKILL", 2, 3)], "O closes an entity"),
    ]
    for tags, expected, what in cases:
        got = _spans(target(tags), f"bio_to_spans({tags})")
        if got != expected:
            raise GradedTestFailure(f"bio_to_spans({tags}) ({what}): expected {expected}, got {got}")
    assert_raises_value_error(target, ["B-PER", "PER"], mentions="PER")
    passed()


def _expect_scores(target, true, pred, expected, call, notes=None):
    """Fail unless target(true, pred) gives the `expected` scores; a division by zero is explained, not a crash."""
    try:
        scores = target(true, pred)
    except ZeroDivisionError:
        raise GradedTestFailure(f"{call} divided by zero: a ratio with nothing to divide by (no predicted or no "
                                "true entities of a type, or precision + recall = 0 for F1) counts as 0.0") from None
    assert_keys(scores, expected.keys(), f"the result of {call}")
    for kind, values in expected.items():
        assert_keys(scores[kind], ["precision", "recall", "f1", "support"], f"{call}[{kind!r}]")
        got = scores[kind]
        if (values["precision"] != values["recall"] and abs(got["precision"] - values["recall"]) < 1e-3
                and abs(got["recall"] - values["precision"]) < 1e-3):
            raise GradedTestFailure(f"{call}[{kind!r}]: precision and recall are swapped; precision divides the "
                                    "true positives by the predicted entities, recall by the true ones")
        note = f" ({notes[kind]})" if notes and kind in notes else ""
        for name, value in values.items():
            assert_close(scores[kind][name], value, f"{call}[{kind!r}][{name!r}]{note}", atol=1e-3)


def entity_scores_test(target):
    true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O", "B-DATE", "I-DATE"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O", "B-DATE", "O"]]
    # True: PER(0-2), LOC(3-4) | ORG(0-1), DATE(2-4).  Predicted: PER(0-2), ORG(3-4) | ORG(0-1), DATE(2-3).
    # Right: PER and the second ORG. LOC is missed (right span, wrong type); DATE is cut short (wrong span).
    expected = {
        "PER": dict(precision=1.0, recall=1.0, f1=1.0, support=1),
        "LOC": dict(precision=0.0, recall=0.0, f1=0.0, support=1),
        "ORG": dict(precision=0.5, recall=1.0, f1=2 / 3, support=1),
        "DATE": dict(precision=0.0, recall=0.0, f1=0.0, support=1),
        "micro": dict(precision=0.5, recall=0.5, f1=0.5, support=4),
    }
    notes = {"LOC": "the prediction has the right span for LOC but the type ORG: no LOC match",
             "DATE": "the predicted DATE covers words 2-3, the true one 2-4: only the exact span is a match",
             "micro": "the micro average pools the counts of all types: 2 right of 4 predicted, of 4 true",
             "ORG": "one of the two predicted ORG entities is right, and the one true ORG is found"}
    _expect_scores(target, true, pred, expected, "entity_scores(true, pred)", notes)
    perfect = {kind: dict(precision=1.0, recall=1.0, f1=1.0, support=n)
               for kind, n in (("PER", 1), ("LOC", 1), ("ORG", 1), ("DATE", 1), ("micro", 4))}
    _expect_scores(target, true, true, perfect, "entity_scores(true, true)")
    # The same span in another sentence is another entity.
    _expect_scores(target, [["B-PER"], ["O"]], [["O"], ["B-PER"]],
                   {"PER": dict(precision=0.0, recall=0.0, f1=0.0, support=1),
                    "micro": dict(precision=0.0, recall=0.0, f1=0.0, support=1)},
                   "entity_scores([['B-PER'], ['O']], [['O'], ['B-PER']])",
                   {"PER": "an entity is identified by its sentence too: (sentence index, type, start, end)"})
    # Types only predicted appear too, with support 0; nothing predicted and nothing true gives zeros, not errors.
    _expect_scores(target, [["O", "O"]], [["B-LOC", "O"]],
                   {"LOC": dict(precision=0.0, recall=0.0, f1=0.0, support=0),
                    "micro": dict(precision=0.0, recall=0.0, f1=0.0, support=0)},
                   "entity_scores([['O', 'O']], [['B-LOC', 'O']])")
    assert_raises_value_error(target, [["O", "O"]], [["O"]], mentions="length")
    assert_raises_value_error(target, [["O"], ["O"]], [["O"]], mentions="length")
    passed()
