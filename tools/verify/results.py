"""One check's result: what it looked at, what it expected, what it found."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    PASSED = "passed"
    FAILED = "failed"
    UNREADABLE = "could not read"


@dataclass(frozen=True)
class Result:
    check: str
    expected: str
    found: str
    status: Status

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


def passed(check: str, expected: str, found: str) -> Result:
    return Result(check, expected, found, Status.PASSED)


def failed(check: str, expected: str, found: str) -> Result:
    return Result(check, expected, found, Status.FAILED)


def unreadable(check: str, expected: str, why: str) -> Result:
    return Result(check, expected, why, Status.UNREADABLE)


class ReadError(Exception):
    """A read that did not answer (no access, no network, an API error): never a finding about the stack."""
