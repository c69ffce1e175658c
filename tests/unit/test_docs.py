"""The README stays short and the docs stay connected: README.md has at most 300 lines and shows
the two commands, it links every page under docs/, and every relative link in README.md,
docs/*.md and web/README.md points to a file that exists (and, with a #fragment into a Markdown
file, to a heading that exists there)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md")), ROOT / "web" / "README.md"]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(path: Path) -> str:
    """The Markdown without its fenced code blocks (a link in an example is not a link)."""
    return _FENCE.sub("", path.read_text(encoding="utf-8"))


def _links(path: Path) -> list[str]:
    return _LINK.findall(_prose(path))


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, and a
    -1, -2, ... suffix for a repeated heading."""
    seen: dict[str, int] = {}
    anchors = set()
    for heading in _HEADING.findall(_prose(path)):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def test_the_readme_has_at_most_300_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md has {len(lines)} lines; move the detail to a page under docs/"


@pytest.mark.parametrize("command", ["make dev", "make test"])
def test_the_readme_shows_the_two_commands(command):
    assert command in README.read_text(encoding="utf-8")


def test_the_readme_links_every_docs_page():
    linked = {(README.parent / target.split("#", 1)[0]).resolve() for target in _links(README)}
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert pages, "no pages under docs/"
    unlinked = [p.relative_to(ROOT).as_posix() for p in pages if p.resolve() not in linked]
    assert not unlinked, f"README.md does not link: {unlinked}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_points_to_something_that_exists(page):
    assert page.is_file(), f"{page.relative_to(ROOT)} is missing"
    broken = []
    for target in _links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...: not ours to check
            continue
        path, _, fragment = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target} (no such file)")
        elif fragment and file.suffix == ".md" and fragment not in _anchors(file):
            broken.append(f"{target} (no heading #{fragment} in {file.relative_to(ROOT)})")
    assert not broken, f"{page.relative_to(ROOT)}: broken links: {broken}"
