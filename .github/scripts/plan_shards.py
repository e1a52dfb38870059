"""A pull request's plan diff in shards, put back together as one document (standard library only).

Above a threshold of stack files the pull-request workflow diffs the stacks in shards, one job each
(tools/offline/shards.py decides which stacks each takes and writes that assignment; the test job
uploads it with the pull request's number). Each shard uploads its own document, as one run would
write it for its stacks. The posting workflow (plan_comment.py) reads the assignment and whatever
documents arrived, all untrusted: the assignment is validated here, each document by plan_schema.py.
`assemble` merges the documents with `merge`, the one merge there is (`python -m offline.diff_data
merge`, which joins the platform project's document and tenant/'s in each shard, is this too), so
that the stacks come in the order and form one run over all of them writes. A shard whose document
is missing (its job failed before it uploaded, or was cancelled) or not valid is named in the
document's `errors` with the stacks it was to diff; the others' stacks are all there.

    {"format": "offline-plan-shards", "count": N,
     "shards": [{"index": I, "stacks": {"platform": [str], "tenant": [str]}}]}   (I = 1..N, in order)
"""

from __future__ import annotations

import json
from typing import Any

from plan_schema import FORMAT, NAME, VERSION, Invalid, check, load

SHARDS_FORMAT = "offline-plan-shards"
MAX_SHARDS = 20  # the runners one pull request takes at once; past 20 * THRESHOLD stack files the shards grow instead
MAX_STACKS = 10_000
PLATFORM, TENANT = "platform", "tenant"
NAMED = 5  # a failed shard's stacks named in its error before "and N more"
_STACKS = ("list", NAME, MAX_STACKS)
SHARDS_SCHEMA = (
    "object",
    {
        "format": ("enum", (SHARDS_FORMAT,)),
        "count": ("int", 1, MAX_SHARDS),
        "shards": (
            "list",
            ("object", {"index": ("int", 1, MAX_SHARDS), "stacks": ("object", {PLATFORM: _STACKS, TENANT: _STACKS})}),
            MAX_SHARDS,
        ),
    },
)


def load_shards(raw: bytes) -> list[dict[str, list[str]]]:
    """The assignment, validated: each shard's stacks by project, shard 1 first; Invalid says why not."""
    if len(raw) > 4_000_000:
        raise Invalid("the shard assignment is over 4,000,000 bytes")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Invalid(f"the shard assignment is not JSON ({type(exc).__name__})") from None
    check(doc, SHARDS_SCHEMA, "the shard assignment")
    if [shard["index"] for shard in doc["shards"]] != list(range(1, doc["count"] + 1)):
        raise Invalid("the shard assignment does not list shards 1 to its count, in order")
    return [shard["stacks"] for shard in doc["shards"]]


def merge(documents: list[dict[str, Any]], errors: list[str] | None = None) -> dict[str, Any]:
    """One document from several: platform stacks by name, then tenant stacks by name (the renderer puts
    each tenant under its platform); their errors, then `errors`."""
    for doc in documents:
        if doc.get("format") != FORMAT or doc.get("version") != VERSION:
            raise ValueError(f"not a {FORMAT} version {VERSION} document")
    stacks = [stack for doc in documents for stack in doc["stacks"]]
    stacks.sort(key=lambda stack: (stack["project"] != PLATFORM, stack["stack"]))
    return {
        "format": FORMAT,
        "version": VERSION,
        "errors": [*(error for doc in documents for error in doc["errors"]), *(errors or [])],
        "stacks": stacks,
    }


def assemble(shards: list[dict[str, list[str]]], parts: dict[int, bytes | None]) -> dict[str, Any]:
    """One document from the shards' (`parts`: shard number → its document as uploaded, None if none came);
    a shard without a valid document is named in `errors`, with its stacks."""
    documents, failed = [], []
    count = len(shards)
    for index, stacks in enumerate(shards, start=1):
        raw = parts.get(index)
        if raw is None:
            reason = "its job failed or was cancelled before it uploaded them"
            failed.append(f"{_shard(index, count, stacks)} sent no diff data ({reason})")
            continue
        try:
            doc = load(raw)
        except Invalid as exc:
            failed.append(f"{_shard(index, count, stacks)} sent diff data that is not valid: {exc}")
            continue
        if count > 1:
            doc = {**doc, "errors": [f"shard {index} of {count}: {error}" for error in doc["errors"]]}
        documents.append(doc)
    return merge(documents, failed)


def _shard(index: int, count: int, stacks: dict[str, list[str]]) -> str:
    names = [*stacks[PLATFORM], *(f"{TENANT}/{name}" for name in stacks[TENANT])]
    shown = ", ".join(names[:NAMED]) + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")
    return f"shard {index} of {count} ({shown or 'no stacks'}: not in this comment)"
