"""What a plan diff document may hold, and the check that it holds nothing else (standard library only).

The document is untrusted: the job that runs a pull request's code writes it (`python -m offline
diff --json`, tools/offline/diff_data.py, which takes FORMAT and VERSION from here). The posting
workflow (plan_comment.py) loads it with `load()`, which refuses anything that is not exactly
SCHEMA (types, enumerations, lengths, no key it does not know) before plan_markdown.py renders it.
Bump VERSION whenever the shape changes, and land that on the base branch first: the base branch's
copy of this file is the one that reads a pull request's document.
"""

from __future__ import annotations

import json
import re
from typing import Any

FORMAT, VERSION = "offline-plan-diff", 3
MAX_BYTES = 16_000_000  # a diff document larger than this is refused unread


class Invalid(ValueError):
    pass


def _str(limit: int) -> tuple[Any, ...]:
    return ("str", limit)


NAME, LINE, PROSE, VALUE = _str(1_000), _str(2_000), _str(20_000), _str(4_000)
SUMMARY_LINES = 20  # of a created resource's summary: a new role's rules, a policy's statements
BOOL, COUNT = ("bool",), ("int", 0, 10_000_000)
AMOUNT = ("amount",)


def _opt(spec: tuple[Any, ...]) -> tuple[Any, ...]:
    return ("optional", spec)


def _list(item: tuple[Any, ...], limit: int) -> tuple[Any, ...]:
    return ("list", item, limit)


def _obj(**fields: tuple[Any, ...]) -> tuple[Any, ...]:
    return ("object", fields)


def _enum(*values: str) -> tuple[Any, ...]:
    return ("enum", values)


CHANGE = _obj(path=LINE, old=_opt(VALUE), new=_opt(VALUE), replaces=BOOL, note=PROSE, after_deploy=BOOL)
OPS = ("create", "update", "replace", "delete")
SCHEMA = _obj(
    format=_enum(FORMAT),
    version=("int", VERSION, VERSION),
    errors=_list(PROSE, 20),
    stacks=_list(
        _obj(
            stack=NAME,
            project=_enum("platform", "tenant"),
            platform=_opt(NAME),
            old_label=NAME,
            new_label=NAME,
            changed=BOOL,
            error=PROSE,
            note=PROSE,
            counts=_obj(**{op: COUNT for op in (*OPS, "same")}),
            resources=_list(
                _obj(
                    op=_enum(*OPS),
                    name=NAME,
                    type=NAME,
                    protected=BOOL,
                    grave=PROSE,
                    summary=_list(LINE, SUMMARY_LINES),
                    fixed_name=NAME,
                    deletes_first=BOOL,
                    delete_before_replace=BOOL,
                    warnings=_list(PROSE, 50),
                    changes=_list(CHANGE, 2_000),
                ),
                20_000,
            ),
            outputs=_list(CHANGE, 2_000),
            config=_list(CHANGE, 2_000),
            cost=_opt(
                _obj(
                    before=AMOUNT,
                    after=AMOUNT,
                    lines=_list(_obj(category=NAME, item=LINE, old=_opt(AMOUNT), new=_opt(AMOUNT)), 2_000),
                )
            ),
            cost_unpriced=_list(PROSE, 200),
            findings_added=_list(PROSE, 2_000),
            findings_removed=_list(PROSE, 2_000),
            upgrade=_list(_obj(refused=BOOL, text=PROSE), 50),
            tenant_reads=_list(_obj(output=NAME, stacks=_list(NAME, 1_000), effect=PROSE), 100),
            platform_reads=_list(CHANGE, 100),
            cluster_steps=PROSE,
        ),
        1_000,
    ),
)
_AMOUNT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,12})?")


def check(value: Any, spec: tuple[Any, ...] = SCHEMA, where: str = "the document") -> None:
    """Raise Invalid unless `value` is exactly what `spec` allows."""
    kind = spec[0]
    if kind == "optional":
        if value is not None:
            check(value, spec[1], where)
    elif kind == "str":
        if not isinstance(value, str) or len(value) > spec[1]:
            raise Invalid(f"{where} is not a string of at most {spec[1]} characters")
    elif kind == "bool":
        if type(value) is not bool:
            raise Invalid(f"{where} is not true or false")
    elif kind == "int":
        if type(value) is not int or not spec[1] <= value <= spec[2]:
            raise Invalid(f"{where} is not a whole number from {spec[1]} to {spec[2]}")
    elif kind == "amount":
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
            raise Invalid(f"{where} is not an amount such as 12.34")
    elif kind == "enum":
        if value not in spec[1] or not isinstance(value, str):
            raise Invalid(f"{where} is not one of {', '.join(spec[1])}")
    elif kind == "list":
        if not isinstance(value, list) or len(value) > spec[2]:
            raise Invalid(f"{where} is not a list of at most {spec[2]} items")
        for index, item in enumerate(value):
            check(item, spec[1], f"{where}[{index}]")
    elif kind == "object":
        if not isinstance(value, dict):
            raise Invalid(f"{where} is not an object")
        missing, unknown = sorted(spec[1].keys() - value.keys()), sorted(value.keys() - spec[1].keys())
        if missing or unknown:
            raise Invalid(f"{where} lacks {missing} or has keys this renderer does not know: {unknown[:5]}")
        for key, item_spec in spec[1].items():
            check(value[key], item_spec, f"{where}.{key}")
    else:  # pragma: no cover - a mistake in SCHEMA
        raise AssertionError(kind)


def load(raw: bytes) -> dict[str, Any]:
    """The document, validated; Invalid says why not."""
    if len(raw) > MAX_BYTES:
        raise Invalid(f"the document is over {MAX_BYTES} bytes")
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Invalid(f"it is not JSON ({type(exc).__name__})") from None
    if isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("version") != VERSION:
        raise Invalid(
            f"its version is {str(doc.get('version'))[:20]}, and this renderer (the base branch's) reads version {VERSION}"
        )
    check(doc)
    if not isinstance(doc, dict):  # check() refuses anything else; said again for the type checker
        raise Invalid("it is not an object")
    return doc


def _refuse_constant(name: str) -> None:
    raise ValueError(name)  # NaN, Infinity
