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


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces to hyphens."""
    seen: dict[str, int] = {}
    result = set()
    for heading in headings(path.read_text()):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def relative_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(without_code(page.read_text())) if not re.match(r"[a-z]+:", target)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_every_relative_link_resolves_to_a_file_and_anchor(page):
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
        elif anchor and (file.suffix != ".md" or anchor not in anchors(file)):
            broken.append(target)
    assert broken == []


def test_the_link_check_sees_links_and_anchors():
    assert "docs/operating.md" in relative_links(PROJECT_DIR / "README.md")
    assert "deploying-for-real" in anchors(PROJECT_DIR / "README.md")
    assert "stack-files-as-the-pulumi-cli-reads-them" in anchors(PROJECT_DIR / "docs" / "reference.md")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_each_doc_says_who_it_is_for_then_lists_its_sections(doc):
    text = doc.read_text()
    title, intro, rest = re.match(r"# (.+?)\n\n(.+?)\n\n## Contents\n\n(.*)", text, flags=re.S).groups()
    assert title and len(intro.split()) > 20, "a paragraph on who the page is for"
    contents = rest.split("\n## ", 1)[0]
    listed = re.findall(r"\]\(#([^)]+)\)", contents)
    own = [a for a in anchors(doc) if a != "contents"]
    top = {re.sub(r"[^\w\- ]", "", s.lower()).replace(" ", "-") for s in re.findall(r"^## (.+)$", text, flags=re.M)}
    assert top - {"contents"} <= set(listed), "every ## section in the contents"
    assert set(listed) <= set(own)


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
