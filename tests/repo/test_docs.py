"""The docs hold together: every relative link and anchor resolves, and each page opens with its reader and contents."""

import re
from pathlib import Path

import pytest

from offline.harness import PROJECT_DIR

DOCS = sorted((PROJECT_DIR / "docs").glob("*.md"))
PAGES = [PROJECT_DIR / "README.md", *DOCS, PROJECT_DIR / "policy" / "README.md"]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def without_code(text: str) -> str:
    """The text without fenced code blocks and code spans, where brackets are not links."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def headings(text: str) -> list[str]:
    return re.findall(r"^#{1,6} (.+?)\s*$", re.sub(r"^```.*?^```", "", text, flags=re.M | re.S), flags=re.M)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation (backticks too) dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown file; a repeated heading gets -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    result = set()
    for heading in headings(path.read_text()):
        anchor = slug(heading)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        result.add(anchor if count == 0 else f"{anchor}-{count}")
    return result


def relative_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(without_code(page.read_text())) if not re.match(r"[a-z]+:", target)]


def broken_links(page: Path) -> list[str]:
    """The relative links of a page whose file, or whose anchor in a Markdown file, does not exist."""
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (anchor and (file.suffix != ".md" or anchor not in anchors(file))):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_every_relative_link_resolves_to_a_file_and_anchor(page):
    assert broken_links(page) == []


def test_the_link_check_finds_a_missing_file_or_anchor_and_skips_code(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## A `code` heading, with punctuation\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#a-code-heading-with-punctuation) [self](#title) [web](https://example.com)\n"
        "[gone](missing.md) [no anchor](other.md#nowhere) `[code](missing.md)`\n\n"
        "```\n[fenced](missing.md)\n```\n\n# Title\n"
    )
    assert broken_links(page) == ["missing.md", "other.md#nowhere"]
    assert "docs/operating.md" in relative_links(PROJECT_DIR / "README.md")
    assert "deploying-for-real" in anchors(PROJECT_DIR / "README.md")
    assert "stack-files-as-the-pulumi-cli-reads-them" in anchors(PROJECT_DIR / "docs" / "reference.md")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_each_doc_says_who_it_is_for_then_lists_its_sections(doc):
    text = doc.read_text()
    opening = re.match(r"# .+?\n\n(.+?)\n\n## Contents\n\n(.*?)\n\n## ", text, flags=re.S)
    assert opening, "a title, one paragraph on who the page is for, then ## Contents"
    intro, contents = opening.groups()
    assert intro.startswith("For ") and len(intro.split()) > 30, "who the page is for, in a paragraph"
    listed = re.findall(r"\]\(#([^)]+)\)", contents)
    sections = {slug(title) for title in re.findall(r"^## (.+)$", text, flags=re.M)} - {"contents"}
    assert sections <= set(listed), "every ## section in the contents"
    assert set(listed) <= anchors(doc)


def test_the_docs_divide_the_old_readme_by_reader():
    sections = {doc.name: set(re.findall(r"^#{2,3} (.+)$", doc.read_text(), flags=re.M)) for doc in DOCS}
    assert {
        "Who is cluster admin",
        "Deploying from CI",
        "Upgrading Kubernetes",
        "Troubleshooting",
        "Removing everything",
    } <= sections["operating.md"]
    assert {"One stack per team", "Teams as tenants of one shared cluster", "What each team costs"} <= sections["teams.md"]
    assert {"Settings", "Policy pack", "Cost model", "The offline plan", "The plan diff"} <= sections["reference.md"]
    assert {"How it is put together", "Tests", "Moving the pins", "Plan speed"} <= sections["contributing.md"]


def test_no_doc_tells_anyone_to_build_a_venv_of_the_policy_packs_own():
    for page in PAGES:
        assert "policy/venv" not in page.read_text(), page.name
