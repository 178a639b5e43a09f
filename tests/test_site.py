"""The course site (`make html`): every page parses, downloads nothing from another host, shows no raw TeX, has its
own title, links only to files that exist, and is in sync with its source; where Debian's `chromium` is installed,
the home page and three previews also open in a headless browser from disk without a console error or a failed
load. (That each preview is in sync with its notebook: tests/test_repository.py.)"""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from utils import site
from utils.notebook_tools import ROOT, read_exactly, solution_notebooks, tex_to_mathml

NOTEBOOKS = solution_notebooks()
PREVIEWS = [nb.with_suffix(".html") for nb in NOTEBOOKS]
PAGES = [site.HOME] + [notes.with_suffix(".html") for notes in site.notes_files()] + PREVIEWS
IDS = [str(page.relative_to(ROOT)) for page in PAGES]

# Elements whose URL the browser fetches by itself when the page loads (a plain <a href> is only followed on a click).
RESOURCE_ATTRIBUTES = {"script": "src", "link": "href", "img": "src", "audio": "src", "video": "src", "source": "src",
                       "track": "src", "iframe": "src", "embed": "src", "object": "data", "input": "src"}
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
# A download started by an inline script or a style sheet (the mermaid loader nbconvert adds imports from a CDN).
SCRIPTED_DOWNLOAD = re.compile(r"""\bimport\s*\(\s*["'](?:https?:)?//|@import\s+(?:url\()?["']?(?:https?:)?//"""
                               r"""|url\(\s*["']?(?:https?:)?//""", re.I)
RAW_TEX = re.compile(r"\\[A-Za-z]+|\\[{}]")
GENERIC_TITLES = {"", "notebook", "untitled", "index", "readme", "document"}
TEMPORARY_PATH = re.compile(r"/tmp/|/var/folders/|\\Temp\\|ipykernel_\d+")
STDERR_BOX = re.compile(r'data-mime-type="application/vnd\.jupyter\.stderr"[^>]*>(.*?)</div>', re.S)


class Page(HTMLParser):
    """What the site test needs from one page: title, resource URLs, links, ids, formulas and inline code."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.title, self.resources, self.links, self.ids, self.math, self.inline = None, [], [], set(), [], []
        self.prose = []  # text outside code, scripts, styles and formulas
        self._in_title = self._in_math = self._in_pre = 0
        self._in_code = None
        self._math_text = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "title":
            self._in_title, self.title = 1, ""
        elif tag == "math":
            self._in_math += 1
            self._math_text = [] if self._in_math == 1 else self._math_text
        elif tag in ("script", "style"):
            self._in_code = tag
        elif tag in ("code", "pre"):
            self._in_pre += 1
        if tag in RESOURCE_ATTRIBUTES and attrs.get(RESOURCE_ATTRIBUTES[tag]):
            self.resources.append((tag, attrs[RESOURCE_ATTRIBUTES[tag]]))
        for srcset in filter(None, [attrs.get("srcset")]):
            self.resources += [(tag, part.split()[0]) for part in srcset.split(",") if part.strip()]
        if attrs.get("style"):
            self.inline.append(attrs["style"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = 0
        elif tag == "math" and self._in_math:
            self._in_math -= 1
            if not self._in_math:
                self.math.append("".join(self._math_text))
        elif tag in ("script", "style"):
            self._in_code = None
        elif tag in ("code", "pre") and self._in_pre:
            self._in_pre -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_math:
            self._math_text.append(data)
        if self._in_code:
            self.inline.append(data)
        elif not (self._in_math or self._in_pre or self._in_title):
            self.prose.append(data)


_parsed = {}


def parsed(page):
    if page not in _parsed:
        assert page.exists(), f"missing {page.relative_to(ROOT)}: run `make html`"
        _parsed[page] = Page(read_exactly(page))
    return _parsed[page]


def local_target(page, url):
    """The file a relative URL of `page` points at, and its fragment."""
    path, _, fragment = url.partition("#")
    path = path.partition("?")[0]
    return (page.parent / unquote(html.unescape(path))).resolve() if path else page, unquote(fragment)


@pytest.mark.parametrize("tex,display,expected", [
    (r"\arg\max_y P(y)", "block", '<munder><mo movablelimits="true">arg\u2009max</mo><mi>y</mi></munder>'),
    (r"\hat w = \arg\max_{w} s_w", "inline", '<munder><mo movablelimits="true">arg\u2009max</mo><mrow><mi>w</mi>'),
    (r"\arg\min_x f", "block", '<mo movablelimits="true">arg\u2009min</mo>'),
    (r"\arg(z)", "inline", "<mi>arg</mi>"),
    (r"\max_{i} x_i", "block", '<munder><mo movablelimits="true">max</mo>'),
    (r"-\log \hat y", "inline", '<mi>log</mi><mspace width="0.1667em"></mspace><mover'),
    (r"dW \mathrel{+}= dz", "inline", "<mo>&#x0002B;&#x0003D;</mo>"),
    (r"P(y \,|\, x)", "inline", "<mo stretchy=\"false\">&#x0007C;</mo>"),
])
def test_tex_that_latex2mathml_leaves_raw_is_mended(tex, display, expected):
    mathml = tex_to_mathml(tex, display=display)
    assert expected in mathml and not RAW_TEX.search(mathml) and "|" not in mathml, mathml


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_page_downloads_nothing_from_another_host(page):
    content = parsed(page)
    external = [f"<{tag}> {url}" for tag, url in content.resources if EXTERNAL.match(url)
                or (SCHEME.match(url) and not url.lower().startswith("data:"))]
    assert not external, f"{page.relative_to(ROOT)} fetches from another host: {external[:5]}"
    scripted = [m.group(0) for text in content.inline for m in SCRIPTED_DOWNLOAD.finditer(text)]
    assert not scripted, f"{page.relative_to(ROOT)} has a script or style that downloads: {scripted[:3]}"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_formulas_hold_no_raw_tex(page):
    raw = sorted({m for formula in parsed(page).math for m in RAW_TEX.findall(formula)})
    assert not raw, (f"{page.relative_to(ROOT)} shows raw TeX in its formulas: {raw}; latex2mathml cannot "
                     "convert these: rewrite the formula, or mend them in utils.notebook_tools.tex_to_mathml")


UNCONVERTED_TEX = re.compile(r"\$\$|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$")
NOTES_PAGES = [page for page in PAGES if page not in PREVIEWS]


@pytest.mark.parametrize("page", NOTES_PAGES, ids=[str(p.relative_to(ROOT)) for p in NOTES_PAGES])
def test_notes_show_no_unconverted_formula(page):
    left = UNCONVERTED_TEX.findall(" ".join(parsed(page).prose))
    assert not left, f"{page.relative_to(ROOT)} shows formulas as TeX source (not converted to MathML): {left[:5]}"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_local_links_and_resources_exist(page):
    content = parsed(page)
    missing = []
    for url in [url for _, url in content.resources] + content.links:
        if SCHEME.match(url) or EXTERNAL.match(url):
            continue
        target, fragment = local_target(page, url)
        if not target.is_file():
            missing.append(url)
        elif fragment and target in PAGES and fragment not in {unquote(i) for i in parsed(target).ids}:
            missing.append(url + " (no such anchor)")
    assert not missing, f"{page.relative_to(ROOT)} links to missing files: {missing[:8]}"


def test_every_page_has_its_own_title():
    titles = {}
    for page in PAGES:
        title = " ".join((parsed(page).title or "").split())
        assert title.lower() not in GENERIC_TITLES, f"{page.relative_to(ROOT)} has the title {title!r}"
        titles.setdefault(title, []).append(str(page.relative_to(ROOT)))
    repeated = {title: pages for title, pages in titles.items() if len(pages) > 1}
    assert not repeated, f"pages share a title: {repeated}"


@pytest.mark.parametrize("page", PREVIEWS, ids=[str(p.relative_to(ROOT)) for p in PREVIEWS])
def test_preview_links_back_to_the_site(page):
    links = parsed(page).links
    assert "../../index.html" in links, f"{page.name} has no link back to the course index"
    assert "../README.html" in links, f"{page.name} has no link to its week's notes"


@pytest.mark.parametrize("page", PREVIEWS, ids=[str(p.relative_to(ROOT)) for p in PREVIEWS])
def test_preview_shows_no_temporary_path_in_a_warning(page):
    shown = [html.unescape(re.sub(r"<[^>]+>", "", box)).strip()[:160]
             for box in STDERR_BOX.findall(read_exactly(page)) if TEMPORARY_PATH.search(box)]
    assert not shown, (f"{page.name} shows a warning with a temporary file path (a stored stderr output of its "
                       f"notebook; catch the warning in the cell and print its message instead): {shown}")


def test_home_page_links_every_notebook_its_exercise_preview_and_every_weeks_notes():
    links = {local_target(site.HOME, url)[0] for url in parsed(site.HOME).links if not SCHEME.match(url)}
    expected = [notes.with_suffix(".html") for notes in site.notes_files()]
    for notebook in NOTEBOOKS:
        expected += [notebook, notebook.with_suffix(".html")]
        exercise = notebook.with_name(notebook.stem + "_exercise.ipynb")
        expected += [exercise] if exercise.exists() else []
    missing = [str(path.relative_to(ROOT)) for path in expected if path not in links]
    assert not missing, f"index.html (the README's course map) does not link: {missing}"


def test_notes_and_home_page_are_in_sync_with_their_sources():
    stale = [str(path.relative_to(ROOT)) for path, text in site.pages()
             if not path.exists() or read_exactly(path) != text]
    assert not stale, f"stale or missing pages: {stale}: run `make html`"


def test_math_font_is_the_packaged_one():
    assert site.MATH_FONT.exists(), f"missing {site.MATH_FONT.relative_to(ROOT)}: run `make html`"
    assert site.MATH_FONT.read_bytes() == site.math_font_source().read_bytes(), "stale math font: run `make html`"


# --- in a real browser, where Debian's chromium is installed ------------------------------------------------------

CHROMIUM = shutil.which("chromium")
BROWSER_PAGES = [site.HOME, ROOT / "Week-1" / "README.html"] + [
    page for page in PREVIEWS if page.parent.name in
    ("W1A1_RNN_Step_by_Step", "W2A2_Emojify", "W3A2_Trigger_Word_Detection")]


class DevTools:
    """Chromium's DevTools protocol over --remote-debugging-pipe (NUL-separated JSON on fds 3 and 4)."""

    def __init__(self, profile):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds():  # the browser reads commands on fd 3 and answers on fd 4
            reading, writing = os.dup(to_browser_r), os.dup(from_browser_w)  # out of the way of 3 and 4 first
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "--window-size=1280,1600", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, pass_fds=(3, 4))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer, self._id, self.events = b"", 0, []

    def _read_message(self, deadline):
        import select
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_browser], [], [], remaining)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=None, timeout=30, **params):
        self._id += 1
        request = {"id": self._id, "method": method, "params": params}
        if session:
            request["sessionId"] = session
        os.write(self._to_browser, json.dumps(request).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read_message(deadline))
        except TimeoutError:
            pass

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def problems_in_browser(browser, page, screenshot=None):
    """Console errors, uncaught exceptions, failed loads and requests to other hosts of one page opened from disk
    in a new tab of `browser`."""
    target = browser.call("Target.createTarget", url="about:blank")["targetId"]
    session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", session=session)
        browser.events.clear()
        browser.call("Page.navigate", session=session, url=page.as_uri())
        browser.wait_for("Page.loadEventFired")
        browser.drain(0.5)  # late console messages and requests started by scripts
        if screenshot:
            import base64
            shot = browser.call("Page.captureScreenshot", session=session, format="png")
            Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
    finally:
        browser.call("Target.closeTarget", targetId=target)
    problems = []
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if event.get("sessionId") != session:
            continue
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            problems.append("console error: " + " ".join(str(a.get("value", a.get("description", "")))
                                                         for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            problems.append("uncaught exception: " + params["exceptionDetails"].get("text", ""))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            problems.append(f"log error: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"failed load: {params.get('errorText')} ({params.get('type')})")
        elif method == "Network.requestWillBeSent" and not params["request"]["url"].startswith(("file:", "data:")):
            problems.append(f"request to another host: {params['request']['url']}")
    return problems


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian's `chromium` is not on PATH (apt-get install chromium to run this check); the static "
                    "checks above still ran")
    with tempfile.TemporaryDirectory() as profile:  # a fresh profile: no cache, no extensions, no history
        devtools = DevTools(profile)
        try:
            yield devtools
        finally:
            devtools.close()


@pytest.mark.parametrize("page", BROWSER_PAGES, ids=[str(p.relative_to(ROOT)) for p in BROWSER_PAGES])
def test_page_opens_in_a_headless_browser_without_errors(browser, page):
    assert page.exists(), f"missing {page.relative_to(ROOT)}: run `make html`"
    screenshot = os.environ.get("SITE_SCREENSHOTS")  # a folder: each page's screenshot is written there
    shot = Path(screenshot) / (page.relative_to(ROOT).as_posix().replace("/", "__") + ".png") if screenshot else None
    problems = problems_in_browser(browser, page, shot)
    assert not problems, f"{page.relative_to(ROOT)} in chromium: {problems[:8]}"
