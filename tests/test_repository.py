"""Repository checks: notebooks executed cleanly, previews and exercise copies in sync, and exercise copies
free of solutions. (That the graded tests pass on the solutions and catch wrong answers: test_wrong_answers.py.)"""
import ast
import json
import re

import nbformat
import pytest

from utils.notebook_tools import (GRADED, ROOT, blank_solutions, exercise_path, exercise_text, graded_functions, html_text,
                                  python_source, read_exactly, solution_blocks, solution_notebooks)

NOTEBOOKS = solution_notebooks()
IDS = [nb.parent.name for nb in NOTEBOOKS]
GRADED_NOTEBOOKS = [nb for nb in NOTEBOOKS if graded_functions(nbformat.read(nb, as_version=4))]


def read(notebook):
    return nbformat.read(notebook, as_version=4)


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no solution notebooks found under Week-*/"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_notebook_was_executed_in_order_without_errors(notebook):
    cells = [c for c in code_cells(read(notebook)) if c.source.strip()]
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "restart the kernel and run all cells, then save"
    errors = [o.ename for c in cells for o in c.outputs if o.output_type == "error"]
    assert not errors, f"stored error outputs: {errors}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_html_preview_is_in_sync(notebook):
    preview = notebook.with_suffix(".html")
    assert preview.exists(), f"missing {preview.name}: run `make html`"
    assert read_exactly(preview) == html_text(notebook), "stale preview: run `make html`"


@pytest.mark.parametrize("notebook", GRADED_NOTEBOOKS, ids=[nb.parent.name for nb in GRADED_NOTEBOOKS])
def test_exercise_copy_is_in_sync(notebook):
    exercise = exercise_path(notebook)
    assert exercise.exists(), f"missing {exercise.name}: run `make exercises`"
    assert read_exactly(exercise) == exercise_text(notebook), "stale exercise copy: run `make exercises`"


@pytest.mark.parametrize("notebook", GRADED_NOTEBOOKS, ids=[nb.parent.name for nb in GRADED_NOTEBOOKS])
def test_exercise_copy_holds_no_solution_and_parses(notebook):
    solution = read(notebook)
    inside, outside = set(), set()
    for cell in code_cells(solution):
        blocks = solution_blocks(cell.source)
        inside |= {line.strip() for block in blocks for line in block}
        outside |= {line.strip() for line in blank_solutions(cell.source).splitlines()}
    solution_only = {line for line in inside if line and not line.startswith("#")} - outside
    exercise = read(exercise_path(notebook))
    for cell in code_cells(exercise):
        assert "BEGIN SOLUTION" not in cell.source and not cell.outputs
        ast.parse(python_source(cell.source))  # every cell still parses
        leaked = solution_only & {line.strip() for line in cell.source.splitlines()}
        assert not leaked, f"solution code left in the exercise copy: {sorted(leaked)}"


def markdown_links(path):
    return re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("document", sorted(ROOT.glob("README.md")) + sorted(ROOT.glob("*/README.md")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(document):
    broken = [link for link in markdown_links(document)
              if not re.match(r"[a-z]+:", link) and not (document.parent / link).exists()]
    assert not broken, f"broken links in {document.relative_to(ROOT)}: {broken}"


def test_every_notebook_is_in_the_course_map():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [str(nb.relative_to(ROOT)) for nb in NOTEBOOKS if str(nb.relative_to(ROOT)) not in readme]
    assert not missing, f"add these notebooks to the README's course map: {missing}"


# The course's static conventions (see the README's "When you change a notebook"), checked from the clone alone.
NETWORK = re.compile(r"\b(urlretrieve|urlopen|requests\.(get|post)|wget |curl |hf_hub_download|gensim\.downloader)")
UNSAFE = re.compile(r"allow_pickle\s*=\s*True|pickle\.loads?\(|safe_mode\s*=\s*False")
MACHINE_PATH = re.compile(r"/work/|/farm/|/root/|/home/\w+/|/Users/\w+/")
PYTHON_FILES = sorted([*ROOT.glob("utils/*.py"), *ROOT.glob("benchmarks/*.py"), *ROOT.glob("Week-*/*/*.py")])


def test_the_two_commands_and_ci_exist():
    for name in ("README.md", "Makefile", "requirements.txt", ".ci/run", "data/README.md"):
        assert (ROOT / name).exists(), f"missing {name}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("lab", "test"):
        assert re.search(rf"^{target}\s*:", makefile, re.M), f"the Makefile has no '{target}' target"
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8"), ".ci/run must call `make test`"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_notebook_runs_offline_loads_safely_and_shows_no_machine_paths(notebook):
    cells = code_cells(read(notebook))
    code = "\n".join(cell.source for cell in cells)
    assert not NETWORK.search(code), "the code fetches from the network; everything must run offline"
    assert not UNSAFE.search(code), "unsafe loading (pickle, allow_pickle=True, safe_mode=False)"
    shown = [cell.execution_count for cell in cells for output in cell.outputs
             if MACHINE_PATH.search(json.dumps(output))]
    assert not shown, f"outputs of cells {shown} show a machine path; print paths relative to the repository"


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_code_runs_offline_and_loads_safely(path):
    text = path.read_text(encoding="utf-8")
    assert not NETWORK.search(text), "fetches from the network; everything must run offline"
    assert not UNSAFE.search(text), "unsafe loading (pickle, allow_pickle=True, safe_mode=False)"


UNCHECKED_MARKERS = ("nbval-ignore-output", "nbval-skip")
CHECK = re.compile(r"^\s*assert\b|\bexpect_between\(", re.M)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_every_cell_left_out_of_the_exact_comparison_checks_its_numbers(notebook):
    """A cell whose output differs between machines is not compared by nbval; it must check itself instead."""
    unchecked = []
    for cell in code_cells(read(notebook)):
        marked = any(tag in cell.metadata.get("tags", []) for tag in UNCHECKED_MARKERS) or re.search(
            r"^\s*#\s*NBVAL_(IGNORE_OUTPUT|SKIP)\b", cell.source, re.M)
        if marked and not CHECK.search(cell.source):
            unchecked.append(cell.execution_count)
    assert not unchecked, (f"cells {unchecked} are left out of nbval's comparison but assert nothing: add an "
                           "expect_between(...) band (utils.checks) that fails when the code is wrong")


@pytest.mark.parametrize("notebook", GRADED_NOTEBOOKS, ids=[nb.parent.name for nb in GRADED_NOTEBOOKS])
def test_every_graded_function_shows_an_expected_output(notebook):
    """The exercise copy quotes, under each graded function's demo, what the solution printed (make_exercise)."""
    nb = read(notebook)
    code = code_cells(nb)
    silent = []
    for i, cell in enumerate(code):
        for name in re.findall(r"#\s*GRADED FUNCTION:\s*(\w+)", cell.source):
            printed = ""
            for following in code[i + 1:i + 3]:
                printed += "".join(o.get("text", "") for o in following.outputs if o.output_type == "stream")
                if f"{name}_test(" in following.source:
                    break
            if not printed.replace("All tests passed", "").strip(" \n\x1b[0-9m"):
                silent.append(name)
    assert not silent, (f"{silent}: print a few values of a demo call before the test call (in the test cell or "
                        "a cell between), so the exercise copy shows the learner an expected output")


@pytest.mark.parametrize("notebook", GRADED_NOTEBOOKS, ids=[nb.parent.name for nb in GRADED_NOTEBOOKS])
def test_every_solution_block_carries_hints(notebook):
    """The exercise copy keeps a solution's comments: one hint per step (at least one per four lines of code)."""
    bare = []
    for cell in code_cells(read(notebook)):
        for block in solution_blocks(cell.source):
            code_lines = [line for line in block if line.strip() and not line.strip().startswith("#")]
            hints = [line for line in block if line.strip().startswith("#")]
            if len(hints) < max(1, len(code_lines) // 4):
                bare.append(f"{', '.join(GRADED.findall(cell.source))} ({len(code_lines)} lines, {len(hints)} hints)")
    assert not bare, f"solution blocks with too few hint comments for the exercise copy: {bare}"



def test_the_map_of_utils_names_every_module():
    import utils
    listed = set(re.findall(r"^    (\w+)\s{2,}", utils.__doc__, re.M))
    modules = {path.stem for path in (ROOT / "utils").glob("*.py") if path.stem != "__init__"}
    assert not modules - listed, f"add these modules to the map in utils/__init__.py: {sorted(modules - listed)}"
    assert not listed - modules, f"the map in utils/__init__.py names modules that do not exist: {sorted(listed - modules)}"
