"""Check that every pinned requirement has a wheel on PyPI for each platform the course supports.

For each `name==version` line of requirements.txt (environment markers honoured, `-e .` skipped) this asks
PyPI's JSON API for the release's files and decides, for Linux x86-64 (manylinux, glibc up to Ubuntu 24.04's,
the `ubuntu-latest` runner) and macOS arm64 (Apple silicon, macOS 14 as on the `macos-14` runner), each with
CPython 3.11 and 3.12, what pip would install:

    wheel       a binary wheel for that interpreter and platform (cp3X, abi3 or py3 with a platform tag)
    pure        only a pure-Python wheel (py3-none-any) fits
    sdist only  no wheel fits: pip would build from source there (needs a compiler and headers): flagged
    MISSING     nothing installable at all: the script exits with status 1
    n/a         the line's environment marker excludes that target

A release that cannot be found on PyPI counts as MISSING too. It also prints, per target, the oldest glibc or
macOS that the binary wheels need. It uses the standard tag rules of the `packaging` library (the ones pip
follows) and each file's Requires-Python. Only the pinned lines are checked, not their dependencies; for those,
`pip install --dry-run --only-binary=:all: --platform macosx_14_0_arm64 --python-version 3.12 -r FILE` resolves
the whole tree for one target. Needs network access to pypi.org only. Run from the repository root:

    .venv/bin/python tools/check_wheels.py                      # checks requirements.txt
    .venv/bin/python tools/check_wheels.py other-requirements.txt
"""
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import compatible_tags, cpython_tags, mac_platforms
from packaging.utils import parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
LINUX_GLIBC_MINOR = 39  # Ubuntu 24.04 (ubuntu-latest) has glibc 2.39; manylinux_2_X for X <= 39 install there
MACOS_VERSION = (14, 0)  # the macos-14 runner
LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def linux_platforms(arch="x86_64"):
    """manylinux platform tags a glibc-2.39 x86-64 Linux accepts, most specific first."""
    for minor in range(LINUX_GLIBC_MINOR, 4, -1):
        yield f"manylinux_2_{minor}_{arch}"
        if minor in LEGACY_MANYLINUX:
            yield f"{LEGACY_MANYLINUX[minor]}_{arch}"


# what PEP 508 environment markers see on each system
SYSTEMS = {
    "linux-x86_64": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    "macos-arm64": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
}


def target(system, minor):
    """One column: a system with CPython 3.<minor>, its accepted wheel tags and its marker environment."""
    python = (3, minor)
    platforms = list(linux_platforms() if system.startswith("linux") else mac_platforms(MACOS_VERSION, "arm64"))
    return {
        "name": f"{system} py3.{minor}",
        "python": python,
        "tags": set(cpython_tags(python, platforms=platforms)) | set(compatible_tags(python, f"cp3{minor}", platforms)),
        # the patch number stands for "a recent 3.X release"
        "environment": {**SYSTEMS[system], "python_version": f"3.{minor}", "python_full_version": f"3.{minor}.99",
                        "os_name": "posix", "implementation_name": "cpython",
                        "platform_python_implementation": "CPython"},
    }


TARGETS = [target(system, minor) for system in SYSTEMS for minor in (11, 12)]


def pinned_requirements(path):
    """(Requirement, version) for each `name==version` line; other lines are reported and skipped."""
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):  # blank, comment, `-e .`, `-r other.txt`
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            sys.exit(f"cannot parse {line!r} in {path}: {error}")
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            print(f"note: {line!r} is not pinned with ==, not checked")
            continue
        yield requirement, specifiers[0].version


def pypi_json(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def release_files(name, version):
    """The files of one release, from PyPI's JSON API."""
    try:
        return pypi_json(f"https://pypi.org/pypi/{name}/{version}/json")["urls"]
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
    # Some mirrors and proxies serve only the project-wide document; it lists every release's files.
    releases = pypi_json(f"https://pypi.org/pypi/{name}/json")["releases"]
    if version not in releases:
        raise LookupError(f"no release {version} of {name} on PyPI")
    return releases[version]


def accepts_python(file, python):
    requires = file.get("requires_python")
    return not requires or SpecifierSet(requires).contains(f"3.{python[1]}.99", prereleases=True)


def oldest_os(platform):
    """(system, version) a platform tag needs at least: ('glibc', (2, 28)), ('macOS', (12, 0)) or None."""
    legacy = {f"{name}_": minor for minor, name in LEGACY_MANYLINUX.items()}
    for prefix, minor in legacy.items():
        if platform.startswith(prefix):
            return "glibc", (2, minor)
    parts = platform.split("_")
    if parts[0] == "manylinux":
        return "glibc", (int(parts[1]), int(parts[2]))
    if parts[0] == "macosx":
        return "macOS", (int(parts[1]), int(parts[2]))
    return None


def needed_os(files, target):
    """The oldest OS version on which some fitting binary wheel of the release installs (None if pure)."""
    fitting = [parse_wheel_filename(file["filename"])[3] & target["tags"] for file in files
               if file["filename"].endswith(".whl") and accepts_python(file, target["python"])]
    needs = [oldest_os(tag.platform) for tags in fitting for tag in tags if tag.platform != "any"]
    return min((need for need in needs if need), default=None)


def verdict(files, target):
    """What pip would install on the target: 'wheel', 'pure', 'sdist only' or 'MISSING'."""
    fitting = [file for file in files if accepts_python(file, target["python"])]
    wheel_tags = [parse_wheel_filename(file["filename"])[3] for file in fitting if file["filename"].endswith(".whl")]
    matching = [tags & target["tags"] for tags in wheel_tags]
    if any(tag.platform != "any" for tags in matching for tag in tags):
        return "wheel"
    if any(matching):
        return "pure"
    if any(file["packagetype"] == "sdist" for file in fitting):
        return "sdist only"
    return "MISSING"


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements.txt"
    header = ["package", "version"] + [t["name"] for t in TARGETS]
    rows, notes, oldest = [], [], {}
    for requirement, version in pinned_requirements(path):
        try:
            files = release_files(requirement.name, version)
        except (OSError, LookupError) as error:  # network errors and HTTPError are OSErrors
            files = []
            notes.append(f"{requirement.name}=={version}: PyPI lookup failed: {error}")
        if any(file.get("yanked") for file in files):
            notes.append(f"{requirement.name}=={version}: has yanked files")
        cells = []
        for t in TARGETS:
            if requirement.marker is not None and not requirement.marker.evaluate(t["environment"]):
                cells.append("n/a")
                continue
            cells.append(verdict(files, t))
            need = needed_os(files, t)
            if need:
                oldest.setdefault(t["name"], []).append((need, requirement.name))
        rows.append([requirement.name, version] + cells)
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths]] + rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    cells = [cell for row in rows for cell in row[2:]]
    print(f"\n{len(rows)} pinned packages x {len(TARGETS)} targets: {cells.count('wheel')} wheel, "
          f"{cells.count('pure')} pure, {cells.count('sdist only')} sdist only, {cells.count('MISSING')} MISSING, "
          f"{cells.count('n/a')} n/a (marker)")
    for name, needs in oldest.items():
        (system, version), _ = max(needs)
        packages = sorted({package for need, package in needs if need == (system, version)})
        print(f"{name}: binary wheels need {system} {'.'.join(map(str, version))} or newer ({', '.join(packages)})")
    for note in notes:
        print("note:", note)
    for row in rows:
        sdist_targets = [header[i] for i, cell in enumerate(row) if cell == "sdist only"]
        if sdist_targets:
            print(f"flagged: {row[0]}=={row[1]} builds from source on {', '.join(sdist_targets)}")
    return 1 if "MISSING" in cells else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
