"""The graded tests catch learners' mistakes: every kept wrong answer (tests/wrong_answers/) must fail its test.

A stub that raises NotImplementedError fails every test, so it says nothing about a test; a plausible wrong
answer that runs does. See utils/wrong_answers.py for the format, and `python -m utils.wrong_answers` for the table.
"""
import nbformat
import pytest

from utils.notebook_tools import graded_functions, solution_notebooks
from utils.wrong_answers import graded_cells, run_graded_test, try_wrong_answer, wrong_answers

MIN_WRONG_ANSWERS = 4
GRADED = [(nb, name) for nb in solution_notebooks()
          for name in graded_functions(nbformat.read(nb, as_version=4))]
ANSWERS = [answer for nb in solution_notebooks() for answer in wrong_answers(nb)]


@pytest.mark.parametrize("notebook,function", GRADED, ids=[f"{nb.parent.name}::{name}" for nb, name in GRADED])
def test_graded_test_passes_on_the_solution(notebook, function):
    outcome, message = run_graded_test(notebook, function)
    assert outcome == "passed", message


@pytest.mark.parametrize("notebook,function", GRADED, ids=[f"{nb.parent.name}::{name}" for nb, name in GRADED])
def test_every_graded_function_has_its_wrong_answers(notebook, function):
    kept = [answer for answer in ANSWERS if answer.notebook == notebook and answer.function == function]
    assert len(kept) >= MIN_WRONG_ANSWERS, (
        f"{function} has {len(kept)} wrong answers in tests/wrong_answers/{notebook.parent.name}.py; "
        f"keep at least {MIN_WRONG_ANSWERS} plausible ones")


def test_wrong_answers_name_graded_functions():
    unknown = {answer.id for answer in ANSWERS if answer.function not in graded_cells(answer.notebook)}
    assert not unknown, f"wrong answers for functions that are not graded: {sorted(unknown)}"


@pytest.mark.parametrize("answer", ANSWERS, ids=[answer.id for answer in ANSWERS])
def test_the_graded_test_catches_the_wrong_answer(answer):
    outcome, message = try_wrong_answer(answer)
    assert outcome != "passed", f"the test of {answer.function} passes this wrong answer: {answer.mistake}"
    assert outcome == "failed", (f"this wrong answer crashes before the test checks anything ({message}); "
                                 "keep wrong answers that run, so they test the test")
