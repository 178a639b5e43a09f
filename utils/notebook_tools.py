"""Course tooling: exercise copies, HTML previews, and loading a notebook's functions for tests.

    python -m utils.notebook_tools execute NOTEBOOK ...       # run top to bottom in its folder and save
    python -m utils.notebook_tools exercises [NOTEBOOK ...]   # write <Name>_exercise.ipynb
    python -m utils.notebook_tools html [NOTEBOOK ...]        # write <Name>.html from stored outputs
With no notebook named, every solution notebook under Week-*/ is processed, and `html` also writes the rest of
the course site (index.html, each week's notes as Week-N/README.html, assets/: see utils/site.py).
"""
import argparse
import ast
import contextlib
import copy
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat

from utils import ROOT

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
GRADED = re.compile(r"#\s*GRADED FUNCTION:\s*([A-Za-z_]\w*)")
STUB = 'raise NotImplementedError("Exercise: write your code here, then run the test cell below")'
# TensorFlow's C++ start-up log lines (timestamped, so they differ on every run): not part of the lesson.
LIBRARY_NOISE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
                           r"STDERR|[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] .*"
                           r"|To enable the following instructions: .* with the appropriate compiler flags\.)\n?", re.M)


def solution_notebooks(root=ROOT):
    """Every solution notebook of the course (exercise copies and checkpoints excluded), sorted."""
    return sorted(p for p in root.glob("Week-*/*/*.ipynb")
                  if not p.stem.endswith("_exercise") and ".ipynb_checkpoints" not in p.parts)


def exercise_path(notebook):
    return Path(notebook).with_name(Path(notebook).stem + "_exercise.ipynb")


def graded_functions(nb):
    """Names of the graded functions of a notebook, in order."""
    return [name for cell in nb.cells if cell.cell_type == "code" for name in GRADED.findall(cell.source)]


def solution_blocks(source):
    """The code lines between each BEGIN/END SOLUTION pair of a cell's source."""
    blocks, current = [], None
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            current = []
        elif marker == END:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    if current is not None:
        raise ValueError(f"a cell opens '{BEGIN}' without closing it:\n{source}")
    return blocks


def blank_solutions(source):
    """Replace each solution block by its comments (the hints) and a NotImplementedError stub."""
    out, inside, indent = [], False, ""
    sizes = iter(sum(1 for line in block if line.strip() and not line.strip().startswith("#"))
                 for block in solution_blocks(source))
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}### START CODE HERE ### (about {next(sizes)} lines)")
        elif marker == END:
            inside = False
            out += [f"{indent}{STUB}", f"{indent}### END CODE HERE ###"]
        elif not inside or marker.startswith("#"):
            out.append(line)
    return "\n".join(out)


def make_exercise(nb):
    """An exercise copy of a solution notebook: solutions blanked, outputs cleared, and under each graded
    function's demo and test cells the output they print with the solution, to compare with."""
    exercise = copy.deepcopy(nb)
    expected = {id(cell): expected_output_cell(cell) for cell in graded_demo_cells(exercise)}
    cells = []
    for cell in exercise.cells:
        if cell.cell_type == "code":
            cell.source = blank_solutions(cell.source)
            cells += [cell] + ([expected[id(cell)]] if expected.get(id(cell)) else [])
            cell.outputs, cell.execution_count = [], None
        else:
            cells.append(cell)
    exercise.cells = cells
    return exercise


def graded_demo_cells(nb):
    """The code cells from each graded function's cell to its test call (the demo and the test)."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    demos = []
    for i, cell in enumerate(code):
        for name in GRADED.findall(cell.source):
            for following in code[i + 1:i + 3]:
                demos.append(following)
                if f"{name}_test(" in following.source:
                    break
    return demos


ANSI_CODES = re.compile(r"\x1b\[[0-9;]*m")


def expected_output_cell(cell):
    """A Markdown cell quoting what a solution cell printed, or None when it printed nothing."""
    text = ANSI_CODES.sub("", "".join(o.text for o in cell.outputs if o.output_type == "stream")).strip()
    if not text:
        return None
    machine_dependent = "nbval-ignore-output" in cell.metadata.get("tags", [])
    note = " (computed on the machine that stored the solution; yours may differ in the last digits)" \
        if machine_dependent else ""
    markdown = nbformat.v4.new_markdown_cell(f"**Expected output**{note}:\n\n```text\n{text}\n```")
    markdown.id = f"{cell.id}-expected" if "id" in cell else markdown.id
    return markdown


CODE_SPANS = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")


# What latex2mathml leaves as raw TeX, mended in its MathML: `\arg\max` (or `\arg\min`) becomes one upright
# operator and a lone `\arg` an upright identifier.
ARG_OPERATOR = re.compile(r"<mi>\\arg</mi>(<(?:msub|munder|msubsup|munderover)>)?<mo>(max|min)</mo>")
# latex2mathml writes `\max_x` as a subscript even in display math; as an under-script with movable limits it
# sits under the operator in display math and beside it in running text, as in TeX.
LIMITS_OPERATOR = re.compile(r"<msub><mo>((?:arg\u2009)?(?:max|min))</mo>")
TAG = re.compile(r"<(/?)([a-z]+)[^>]*?(/?)>")
# TeX puts a thin space between a function name and its argument (`\log x`); latex2mathml writes the two side by side.
FUNCTION_THEN_ARGUMENT = re.compile(r"(<mi>(?:log|ln|lg|exp|sin|cos|tan|tanh|sinh|cosh|det|dim|ker|deg|Pr)</mi>)"
                                    r"(?=<(?:mi|mn|msub|msup|msubsup|mover|mrow|mfrac|msqrt)\b)")
# `\mathrel{+}=` comes out as an operator wrapped in an operator: one operator "+=", as TeX sets it.
WRAPPED_OPERATOR = re.compile(r"<mo><mrow><mo>([^<]*)</mo></mrow></mo>(?:<mo>(&#x0003D;)</mo>)?")


def _movable_limits(mathml):
    """Each `<msub><mo>max</mo>X</msub>` (min, arg max, arg min) as `<munder><mo movablelimits="true">max</mo>X</munder>`."""
    while match := LIMITS_OPERATOR.search(mathml):
        depth, end = 0, None
        for tag in TAG.finditer(mathml, match.start()):
            closing, _, empty = tag.groups()
            depth += 0 if empty else (-1 if closing else 1)
            if depth == 0:
                end = tag
                break
        mathml = (mathml[:match.start()] + f'<munder><mo movablelimits="true">{match.group(1)}</mo>'
                  + mathml[match.end():end.start()] + "</munder>" + mathml[end.end():])
    return mathml


def tex_to_mathml(tex, display="inline"):
    """One formula as MathML. A `|` is written as an entity, so a formula in a Markdown table cell keeps its row."""
    from latex2mathml.converter import convert
    mathml = convert(tex.strip(), display=display)
    mathml = ARG_OPERATOR.sub(lambda m: f"{m.group(1) or ''}<mo>arg\u2009{m.group(2)}</mo>", mathml)
    mathml = _movable_limits(mathml.replace("<mi>\\arg</mi>", "<mi>arg</mi>"))
    mathml = FUNCTION_THEN_ARGUMENT.sub(r'\1<mspace width="0.1667em"></mspace>', mathml)
    mathml = WRAPPED_OPERATOR.sub(lambda m: f"<mo>{m.group(1)}{m.group(2) or ''}</mo>", mathml)
    return mathml.replace("|", "&#x0007C;")


def markdown_math_to_mathml(text):
    """Replace $...$ and $$...$$ in Markdown (outside code) by MathML, which browsers render offline."""
    parts = CODE_SPANS.split(text)
    for i in range(0, len(parts), 2):  # even parts lie outside code spans
        parts[i] = DISPLAY_MATH.sub(lambda m: tex_to_mathml(m.group(1), display="block"), parts[i])
        parts[i] = INLINE_MATH.sub(lambda m: tex_to_mathml(m.group(1)), parts[i])
    return "".join(parts)


def strip_library_noise(nb):
    """Remove TensorFlow's C++ log lines from a notebook's stderr outputs (and outputs left empty)."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                output.text = LIBRARY_NOISE.sub("", output.text)
        cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and not o.text)]
    return nb


def execute(notebook, timeout=600):
    """Run a notebook top to bottom in its own folder, strip library noise, and save it in place."""
    from nbclient import NotebookClient
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor
    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # per-cell timestamps: they only make every re-run a large diff
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    # Drop the library's log lines first, so the stdout blocks they separated merge; and resolve progress bars'
    # carriage returns as JupyterLab does when it saves.
    nb, _ = CoalesceStreamsPreprocessor().preprocess(strip_library_noise(nb), {})
    nbformat.write(nb, notebook)
    print(f"executed {notebook.relative_to(ROOT) if notebook.is_relative_to(ROOT) else notebook}")


# The previews' template: JupyterLab's, less its downloads (require.js, MathJax, mermaid, widgets: the math is
# already MathML, and nothing here needs the others), plus the site's style sheet and a bar of links to the site.
PREVIEW_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<link rel="stylesheet" href="{{ resources.site_css }}">
{%- endblock html_head_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.site_nav }}
{%- endblock body_header -%}
"""


def render_html(nb, notebook=None):
    """The HTML preview of a notebook, from its stored outputs (nothing is executed).

    Formulas are pre-rendered to MathML (shown in the site's bundled math font), so the preview downloads
    nothing. Its title is the notebook's first heading, and a bar links it to the course index and its week's
    notes (relative to `notebook`, the path it is written beside; a notebook two folders below the root when
    not given).
    """
    import jinja2
    from nbconvert import HTMLExporter
    from utils import site
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = markdown_math_to_mathml(cell.source)
    nb.metadata["title"] = site.notebook_title(nb)
    page = Path(notebook).resolve().with_suffix(".html") if notebook else ROOT / "Week-0" / "Folder" / "Page.html"
    exporter = HTMLExporter(template_name="lab", template_file="course_preview.html.j2",
                            extra_loaders=[jinja2.DictLoader({"course_preview.html.j2": PREVIEW_TEMPLATE})])
    html, _ = exporter.from_notebook_node(nb, resources={"site_css": site.relative_url(page, site.STYLE_SHEET),
                                                         "site_nav": site.navigation(page)})
    return html


def python_source(cell_source):
    """A code cell's source as plain Python (IPython magics such as %matplotlib turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(cell_source)


def _is_definition(node):
    return isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)) or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))


@contextlib.contextmanager
def _importable_from(folder):
    """Let a notebook's `from public_tests import ...` find its own folder's module, then forget it (and put back
    the caller's own `public_tests`, when a notebook loads another's definitions)."""
    callers = sys.modules.pop("public_tests", None)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("public_tests", None)
        if callers is not None:
            sys.modules["public_tests"] = callers


def load_definitions(notebook):
    """Run a notebook's import and definition cells (no demos, no tests) and return their names.

    A cell counts when every top-level statement is an import, a def, a class or a docstring, or when it
    carries the tag "definitions" (e.g. layers shared by graded functions), so tests and benchmarks use the
    notebook's own graded functions, not a copy.
    """
    namespace = definitions_namespace(notebook)
    return SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})


def definitions_namespace(notebook):
    """The globals a notebook's definition cells leave behind (see `load_definitions`), as a dict."""
    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    namespace = {"__name__": f"notebook_{notebook.stem}"}
    with _importable_from(notebook.parent):
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            tree = ast.parse(python_source(cell.source))
            tagged = "definitions" in cell.metadata.get("tags", [])
            if tagged or all(_is_definition(node) for node in tree.body):
                exec(compile(tree, f"{notebook.name}", "exec"), namespace)
    return namespace


def load_public_tests(notebook):
    """Import the `public_tests.py` that sits beside a notebook, under a name unique to it."""
    import importlib.util
    path = Path(notebook).with_name("public_tests.py")
    spec = importlib.util.spec_from_file_location(f"public_tests_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_exactly(path):
    """A text file's content with its line endings untouched (a stored "\r" stays "\r")."""
    with open(path, encoding="utf-8", newline="") as file:
        return file.read()


def write_if_changed(path, text):
    """Write `text` to `path` unless it already holds exactly that; report what happened."""
    path = Path(path)
    if path.exists() and read_exactly(path) == text:
        return False
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(text)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return True


def exercise_text(notebook):
    return nbformat.writes(make_exercise(nbformat.read(notebook, as_version=4))) + "\n"


def html_text(notebook):
    return render_html(nbformat.read(notebook, as_version=4), notebook)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["execute", "exercises", "html"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or solution_notebooks()
    for notebook in notebooks:
        if notebook.stem.endswith("_exercise"):
            sys.exit(f"{notebook} is an exercise copy; name the solution notebook instead")
        if args.what == "execute":
            execute(notebook)
        elif args.what == "exercises":
            write_if_changed(exercise_path(notebook), exercise_text(notebook))
        else:
            write_if_changed(notebook.with_suffix(".html"), html_text(notebook))
    if args.what == "html" and not args.notebooks:
        from utils import site
        site.build()


if __name__ == "__main__":
    main()
