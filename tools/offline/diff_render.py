"""The plan diff as Markdown, what `make diff` prints: the pull-request comment's body, by the comment's code.

The stack diffs become the JSON document `--json` writes (offline/diff_data.py), and that document
is rendered by .github/scripts/plan_markdown.py, the renderer the posting workflow runs on it: one
rendering of one document, here and under a pull request.
"""

from __future__ import annotations

import json

from offline import diff_data
from offline.comment_scripts import markdown
from offline.diff import StackDiff


def render(diffs: list[StackDiff], details: bool = True) -> str:
    """One Markdown document for all stacks, as long as a comment may be (details, then sections, dropped if needed)."""
    doc = json.loads(diff_data.dumps(diff_data.document(diffs)))
    return markdown.fitted_body(doc, details) + "\n"
