"""An event's texts go through the same screening as every other text a member writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


@pytest.mark.parametrize(
    ("field", "level"),
    [("title", "BLOCK"), ("description", "BLOCK"), ("location", "BLOCK"), ("title", "REVIEW")],
)
async def test_an_event_with_a_screened_word_in_any_text_is_refused(
    api: Api, runtime: Runtime, field: str, level: str
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    await api.op("AddSensitiveWords", {"words": ["赌博"], "level": level}, token=operator)
    now = datetime.now(UTC)
    event = {
        "title": "周末聚会",
        "kind": "OFFLINE",
        "startsAt": (now + timedelta(days=1)).isoformat(),
        "endsAt": (now + timedelta(days=1, hours=2)).isoformat(),
        "description": "一起喝咖啡",
        "location": "学校南门",
    }
    accepted = await api.op("CreateEvent", {"input": event}, token=operator)
    assert "errors" not in accepted
    event[field] = f"{event[field]} 赌博"
    refused = await api.op("CreateEvent", {"input": event}, token=operator)
    assert error_codes(refused) == ["CONTENT_REJECTED"]
