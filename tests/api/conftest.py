"""Fixtures of the API tests that several modules share."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tortoise import connections

from adapters import read_batches
from api import kept_answers
from domain import auth

# Read batches (adapters/read_batches.py): tests/api/test_read_batches*.py.

TOGETHER = "SELECT _rows.* FROM jsonb_to_recordset"


class Sent:
    """The batches sent (their sizes), those PostgreSQL refused, and the reads sent alone."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.batches: list[int] = []
        self.failed: list[str] = []
        self.alone = 0
        fetch = read_batches.ReadBatches._fetch

        async def counted(batches: Any, query: str, values: Any) -> Any:
            if query.startswith(TOGETHER):
                self.batches.append(len(json.loads(values[0])))
                try:
                    return await fetch(batches, query, values)
                except Exception as exc:
                    self.failed.append(f"{type(exc).__name__}: {exc}")
                    raise
            self.alone += 1
            return await fetch(batches, query, values)

        monkeypatch.setattr(read_batches.ReadBatches, "_fetch", counted)

    def clear(self) -> None:
        self.batches.clear()
        self.failed.clear()
        self.alone = 0


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sent]:
    kept_answers.forget_answers()
    auth.forget_sign_ins()
    client = connections.get("default")
    size = client.read_batch_size  # type: ignore[attr-defined]
    client.read_batches = None  # type: ignore[attr-defined]
    yield Sent(monkeypatch)
    client.read_batch_size = size  # type: ignore[attr-defined]
    client.read_batches = None  # type: ignore[attr-defined]
    kept_answers.forget_answers()
    auth.forget_sign_ins()


def batch_size(size: int) -> None:
    client = connections.get("default")
    client.read_batch_size = size  # type: ignore[attr-defined]
    client.read_batches = None  # type: ignore[attr-defined]
