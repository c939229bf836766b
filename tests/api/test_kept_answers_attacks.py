"""Attacks on kept answers (api/kept_answers.py): a Feed page answered from a kept answer
is exactly the page the operation asks for, as this viewer sees it now — whatever else the
document says (directives, aliases, operations, variables), whichever app it is sent to."""

from __future__ import annotations

from typing import Any

import pytest

from api import kept_answers
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_post, make_user, token_for


class Executions:
    """How many known operations were answered from a kept answer."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.kept = 0
        recall = kept_answers.recall

        def recalled(*args: Any, **kwargs: Any) -> Any:
            answer = recall(*args, **kwargs)
            self.kept += answer is not None
            return answer

        monkeypatch.setattr(kept_answers, "recall", recalled)


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> Executions:
    kept_answers.forget_answers()
    return Executions(monkeypatch)


async def _kept(
    api: Api,
    query: str,
    variables: dict[str, Any],
    executions: Executions,
    **kw: Any,
) -> dict[str, Any]:
    """The answer, asked until it comes from a kept answer."""
    for _ in range(5):
        before = executions.kept
        answer = await api.execute(query, variables, **kw)
        assert "errors" not in answer, answer
        if executions.kept == before + 1:
            return answer
    raise AssertionError("never answered from a kept answer")


async def _often(api: Api, query: str, variables: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """The answer, asked as often as it takes to be kept if it is ever kept."""
    for _ in range(3):
        answer = await api.execute(query, variables, **kw)
        assert "errors" not in answer, answer
    return answer


def _ids(answer: dict[str, Any], key: str = "feed") -> list[str]:
    return [e["node"]["id"] for e in answer["data"][key]["edges"]]


MAYBE_BODIES = """
query MaybeBodies($kind: FeedKind!, $first: Int, $bodies: Boolean!) {
  feed(kind: $kind, first: $first) {
    edges { cursor node { id title body @include(if: $bodies) author { id nickname } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_a_field_left_out_by_a_variable_is_left_out_of_a_page_kept_with_it(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "正文可选")
    token = token_for(runtime, await make_user())
    asked = {"kind": "LATEST", "first": 10}
    shown = await _often(api, MAYBE_BODIES, {**asked, "bodies": True}, token=token)
    assert "body" in shown["data"]["feed"]["edges"][0]["node"]
    left_out = await api.execute(MAYBE_BODIES, {**asked, "bodies": False}, token=token)
    assert "errors" not in left_out, left_out
    assert "body" not in left_out["data"]["feed"]["edges"][0]["node"]


SKIPPED_SPREAD = """
query SkippedSpread($first: Int, $plain: Boolean!) {
  feed(kind: LATEST, first: $first) {
    edges { node { id ...Words @skip(if: $plain) } }
  }
}
fragment Words on Post { title body author { nickname } }
"""


async def test_a_fragment_skipped_by_a_variable_is_skipped_on_a_kept_page_too(
    api: Api, runtime: Runtime, executions: Executions
) -> None:
    await make_post(await make_user(), "片段可选")
    await _often(api, SKIPPED_SPREAD, {"first": 5, "plain": False})
    plain = await api.execute(SKIPPED_SPREAD, {"first": 5, "plain": True})
    assert "errors" not in plain, plain
    assert plain["data"]["feed"]["edges"][0]["node"] == {
        "id": plain["data"]["feed"]["edges"][0]["node"]["id"]
    }
