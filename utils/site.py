"""The course as a static site that works from disk, offline: `make html` writes

    index.html                      the README (quickstart and course map) as the home page
    Week-N/README.html              each week's notes, from Week-N/README.md
    Week-N/<folder>/<Name>.html     each notebook's preview (`notebook_tools.render_html`)
    assets/STIXTwoMath-Regular.ttf  the math font, copied from the `ziamath` package (SIL Open Font License 1.1)

Every page links assets/site.css, the site's style sheet (a source file, edited by hand). Formulas are MathML
(no MathJax); relative links to a Markdown page or a solution notebook are rewritten to the
site's page for it where one exists (in the notes; the home page keeps its notebook and exercise links, beside
their previews). Nothing on any page is fetched from another host.
"""
import html
import importlib.util
import os
import re
import shutil
from pathlib import Path

from utils import ROOT

ASSETS = ROOT / "assets"
STYLE_SHEET = ASSETS / "site.css"
MATH_FONT = ASSETS / "STIXTwoMath-Regular.ttf"
HOME = ROOT / "index.html"
COURSE = "Sequence Models"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
</head>
<body class="site-page">
{nav}
<main>
{body}
</main>
</body>
</html>
"""


def relative_url(page, target):
    """The URL of `target` from the page written at `page` (both paths in the repository)."""
    return Path(os.path.relpath(Path(target), Path(page).parent)).as_posix()


def notes_files(root=ROOT):
    """Each week's notes, Week-1/README.md first."""
    return sorted(root.glob("Week-*/README.md"), key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0))


def navigation(page):
    """The bar of links at the top of every page: the course index and each week's notes."""
    page = Path(page)
    links = [f'<a class="site-home" href="{relative_url(page, HOME)}">{COURSE}: course index</a>']
    for notes in notes_files():
        week = notes.parent.name.replace("-", " ")
        links.append(f'<a href="{relative_url(page, notes.with_suffix(".html"))}">{week} notes</a>')
    return '<nav class="site-nav">' + "".join(links) + "</nav>"


def plain_text(markdown_heading):
    """A heading's text without Markdown, HTML or TeX markup (for a page title)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_heading)  # links keep their text
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\\[A-Za-z]+", "", text)
    return " ".join(re.sub(r"[`*_${}]", "", text).split())


def first_heading(markdown):
    """The text of the first ATX heading in a Markdown text, or None."""
    for line in re.sub(r"```.*?```", "", markdown, flags=re.S).splitlines():
        match = re.match(r"\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
        if match:
            return plain_text(match.group(1))
    return None


def notebook_title(nb):
    """A notebook's first heading, for its preview's <title>."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heading = first_heading(cell.source)
            if heading:
                return heading
    raise ValueError("the notebook has no heading to title its preview with: start it with '# Title'")


def site_page(target, root=ROOT):
    """The site's page for a file of the repository (a Markdown page or a solution notebook), or None."""
    target = Path(target)
    if target == root / "README.md":
        return root / "index.html"
    if target.suffix == ".md" and target in notes_files(root):
        return target.with_suffix(".html")
    if target.suffix == ".ipynb" and not target.stem.endswith("_exercise") and target.parent.parent.parent == root \
            and target.parent.parent.name.startswith("Week-") and target.exists():
        return target.with_suffix(".html")
    return None


LINK = re.compile(r'\b(href|src)="([^"]*)"')


def rewrite_links(body, source, page, notebooks=True):
    """Point the relative links of a page rendered from `source` at the site's pages: a Markdown page or (when
    `notebooks`) a solution notebook becomes its HTML page; any other link is only made relative to `page`."""
    def rewrite(match):
        attribute, url = match.groups()
        if re.match(r"[a-z][a-z0-9+.-]*:|#|/", url, re.I) or not url:
            return match.group(0)
        path, _, fragment = url.partition("#")
        target = (Path(source).parent / html.unescape(path)).resolve()
        replacement = site_page(target) if attribute == "href" else None
        if replacement is not None and (notebooks or target.suffix != ".ipynb"):
            target = replacement
        new = relative_url(page, target) + (f"#{fragment}" if fragment else "")
        return f'{attribute}="{html.escape(new)}"'
    return LINK.sub(rewrite, body)


def slug(text, seen):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; repeats numbered."""
    base = re.sub(r"[^\w\- ]", "", re.sub(r"<[^>]+>", "", html.unescape(text)).strip().lower()).replace(" ", "-")
    anchor, n = base, seen.get(base, 0)
    if n:
        anchor = f"{base}-{n}"
    seen[base] = n + 1
    return anchor


def markdown_to_html(markdown):
    """Markdown (GitHub-flavoured tables, raw HTML such as <details>) to HTML, with formulas as MathML and
    GitHub's heading anchors."""
    import mistune
    from utils.notebook_tools import markdown_math_to_mathml

    class Renderer(mistune.HTMLRenderer):
        seen = {}

        def heading(self, text, level, **attrs):
            return f'<h{level} id="{slug(text, self.seen)}">{text}</h{level}>\n'

    render = mistune.create_markdown(renderer=Renderer(escape=False), plugins=["table", "strikethrough", "url"])
    return render(markdown_math_to_mathml(markdown))


def render_markdown_page(source, page, notebooks=True):
    """A Markdown file of the repository as a page of the site."""
    markdown = Path(source).read_text(encoding="utf-8")
    title = first_heading(markdown) or Path(source).parent.name
    body = rewrite_links(markdown_to_html(markdown), source, page, notebooks)
    return PAGE.format(title=html.escape(title), css=relative_url(page, STYLE_SHEET), nav=navigation(page), body=body)


def math_font_source():
    """STIX Two Math as the `ziamath` package ships it (found without importing the package)."""
    spec = importlib.util.find_spec("ziamath")
    if spec is None:
        raise RuntimeError("the math font comes from the `ziamath` package: install requirements.txt")
    return Path(spec.submodule_search_locations[0]) / "fonts" / MATH_FONT.name


def pages():
    """Every page the site builds besides the previews, as (path, text)."""
    # The home page keeps the course map's notebook and exercise links (a learner downloads those) beside the
    # previews; the notes link a notebook's preview.
    built = [(HOME, render_markdown_page(ROOT / "README.md", HOME, notebooks=False))]
    built += [(notes.with_suffix(".html"), render_markdown_page(notes, notes.with_suffix(".html")))
              for notes in notes_files()]
    return built


def build():
    """Write the site's home page, notes pages and math font (the previews are written apart)."""
    from utils.notebook_tools import write_if_changed
    ASSETS.mkdir(exist_ok=True)
    font = math_font_source()
    if not MATH_FONT.exists() or MATH_FONT.read_bytes() != font.read_bytes():
        shutil.copyfile(font, MATH_FONT)
        print(f"wrote {MATH_FONT.relative_to(ROOT)}")
    for path, text in pages():
        write_if_changed(path, text)
