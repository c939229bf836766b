"""Compiled execution (api/compiled.py) answers exactly what graphql-core's interpreter does.

Two apps on one community, one with compiled plans (the default) and one with
QUANZI_COMPILED_EXECUTION off, are sent the same requests (the compiled one twice: the second
time as a known operation, api/known_operations.py): every query of the client contract,
as a member, an operator and nobody, and documents hypothesis-graphql generates from the
schema. Data, errors (messages, paths, locations, codes) and extensions must be equal byte for
byte. A few answers carry the clock (a countdown); the interpreter is asked twice and an answer
it gives differently itself is not compared (and there must be few of those)."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import hypothesis_graphql as hg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from api.compiled import plan_cache_clear
from api.ids import to_global_id
from api.schema import export_sdl
from domain.models import PostKind, Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api, configured_api
from tests.contract import operation, operation_names
from tests.factories import (
    make_answer,
    make_answer_comment,
    make_circle,
    make_collection,
    make_comment,
    make_event,
    make_feedback,
    make_poll,
    make_post,
    make_question,
    make_report,
    make_topic,
    make_user,
    token_for,
)

GENERATED = int(os.environ.get("QUANZI_DIFF_EXAMPLES", "60"))
HEADERS = {"X-Request-ID": "compiled-vs-interpreted"}


async def _community(runtime: Runtime) -> dict[str, Any]:
    """Members, every kind of post, comments and replies, answers with comments, a circle,
    a collection, an event, feedback and a report: what the contract's queries read."""
    member = await make_user(nickname="小明")
    operator = await make_user(role=Role.OPERATOR, nickname="运营小王")
    others = [await make_user() for _ in range(3)]
    topic = await make_topic("爬山")
    posts = [await make_post(others[i % 3], f"第{i}篇 #爬山# 周末一起") for i in range(8)]
    question = await make_question(others[0])
    answer = await make_answer(question, others[1])
    await make_answer_comment(answer, member)
    poll = await make_poll(others[2])
    comment = await make_comment(posts[0], member)
    await make_comment(posts[0], others[1], reply_to=comment)
    circle = await make_circle(operator, members=[member, others[0]])
    await make_post(others[0], "圈子里的帖子", circle_id=circle.id)
    collection = await make_collection(operator, posts=posts[:3])
    event = await make_event(operator, signed_up=[member])
    await make_feedback(member)
    await make_report(posts[1], member)
    await make_post(member, "一个图片帖", kind=PostKind.POST)
    return {
        "tokens": {
            "member": token_for(runtime, member),
            "operator": token_for(runtime, operator),
            "nobody": None,
        },
        "ids": {
            "post": to_global_id("Post", posts[0].id),
            "question": to_global_id("Post", question.id),
            "poll": to_global_id("Post", poll.post.id),
            "comment": to_global_id("Comment", comment.id),
            "answer": to_global_id("Answer", answer.id),
            "circle": to_global_id("Circle", circle.id),
            "collection": to_global_id("Collection", collection.id),
            "event": to_global_id("Event", event.id),
            "user": to_global_id("User", others[0].id),
            "survey": to_global_id("Survey", 1),
        },
        "topic": topic.name,
    }


def _variables(name: str, seeded: dict[str, Any]) -> list[dict[str, Any]]:
    """Variables for one contract query (a list: some are asked more than one way)."""
    ids = seeded["ids"]
    today = date.today()
    span = {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}
    now = datetime.now(UTC).replace(microsecond=0)
    by_id = {
        "AnswerComments": ids["answer"],
        "CircleFeed": ids["circle"],
        "CirclePendingMembers": ids["circle"],
        "CollectionPosts": ids["collection"],
        "CommentReplies": ids["comment"],
        "EventDetail": ids["event"],
        "PostDetail": ids["post"],
        "QuestionAnswers": ids["question"],
        "SurveyDetail": ids["survey"],
        "SurveyResults": ids["survey"],
        "UserProfile": ids["user"],
    }
    special: dict[str, list[dict[str, Any]]] = {
        "Feed": [
            {"kind": kind, "first": 20}
            for kind in ("LATEST", "HOT", "FOLLOWING", "RECOMMENDED", "QUESTIONS")
        ],
        "CheckText": [{"text": "加微信 代购 你好"}],
        "ConsoleLoginRequest": [{"nonce": "n" * 32}],
        "ContentCalendar": [
            {
                "from": (now - timedelta(days=7)).isoformat(),
                "to": (now + timedelta(days=7)).isoformat(),
            }
        ],
        "EventRoster": [{"eventId": ids["event"], "first": 10}],
        "EventStats": [{"eventId": ids["event"]}],
        "Leaderboard": [{"period": "WEEK", "first": 10}],
        "MemberRecord": [{"userId": ids["user"]}],
        "RetentionCohorts": [{**span, "days": [1, 7]}],
        "WeeklyCohorts": [{**span, "days": [1, 7]}],
        "ReviewQueue": [{"stage": "FIRST", "first": 10}],
        "ReviewWorkbench": [{"stage": "FIRST", "first": 10}],
        "Search": [{"query": "爬山", "kind": "POSTS", "first": 10}],
        "TopicFeed": [{"name": seeded["topic"], "first": 10}],
        "Sanctions": [{"first": 10}],
    }
    if name in special:
        return special[name]
    if name in by_id:
        return [{"id": by_id[name], "first": 10}]
    if name in {
        "CommunityMetrics",
        "FeedbackMetrics",
        "ReportsByReason",
        "ReviewMetrics",
        "ShareFunnel",
        "ShareFunnelByChannel",
    }:
        return [span]
    return [{"first": 10}]


def _query_names() -> list[str]:
    return [name for name in operation_names() if operation(name).lstrip().startswith("query")]


async def _ask(api: Api, query: str, variables: dict[str, Any], token: str | None) -> bytes:
    headers = dict(HEADERS)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = await api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return json.dumps(
        {"status": response.status_code, "body": response.json()},
        ensure_ascii=False,
        sort_keys=False,
    ).encode()


async def _compare(
    compiled: Api, interpreted: Api, query: str, variables: dict[str, Any], token: str | None
) -> tuple[bool, bool, str]:
    """(compared, equal, a description when unequal). The compiled app is asked twice: the
    second time the text is known (api/known_operations.py) if the first one validated."""
    first = await _ask(interpreted, query, variables, token)
    answer = await _ask(compiled, query, variables, token)
    again = await _ask(compiled, query, variables, token)
    second = await _ask(interpreted, query, variables, token)
    if first != second:
        return False, True, ""
    for asked, compiled_answer in (("compiled", answer), ("known", again)):
        if compiled_answer != first:
            why = f"interpreted {first[:600]!r}\n{asked:<11} {compiled_answer[:600]!r}"
            return True, False, why
    return True, True, ""


@pytest.fixture
async def two_apps(runtime: Runtime) -> Any:
    plan_cache_clear()
    async with (
        configured_api(runtime, rate_limits_enabled=False) as (compiled, _),
        configured_api(runtime, rate_limits_enabled=False, compiled_execution=False) as (
            interpreted,
            _,
        ),
    ):
        yield compiled, interpreted


async def test_every_contract_query_answers_the_same(runtime: Runtime, two_apps: Any) -> None:
    compiled, interpreted = two_apps
    seeded = await _community(runtime)
    names = _query_names()
    assert len(names) >= 60
    differences: list[str] = []
    volatile: list[str] = []
    compared = 0
    for name in names:
        for variables in _variables(name, seeded):
            for who, token in seeded["tokens"].items():
                done, equal, why = await _compare(
                    compiled, interpreted, operation(name), variables, token
                )
                if not done:
                    volatile.append(f"{name} as {who}")
                    continue
                compared += 1
                if not equal:
                    differences.append(f"{name} as {who} {variables}:\n{why}")
    assert differences == [], "\n\n".join(differences[:5])
    assert len(volatile) <= 6, volatile
    assert compared >= 3 * len(names)


async def test_the_next_page_answers_the_same(runtime: Runtime, two_apps: Any) -> None:
    compiled, interpreted = two_apps
    seeded = await _community(runtime)
    token = seeded["tokens"]["member"]
    first = await interpreted.op("Feed", {"kind": "LATEST", "first": 3}, token=token)
    cursor = first["data"]["feed"]["pageInfo"]["endCursor"]
    done, equal, why = await _compare(
        compiled,
        interpreted,
        operation("Feed"),
        {"kind": "LATEST", "first": 3, "after": cursor},
        token,
    )
    assert done and equal, why


async def test_errors_and_null_propagation_answer_the_same(runtime: Runtime, two_apps: Any) -> None:
    """Errors inside lists and objects: a missing node, a refused field, a bad argument in a
    nested selection, @skip/@include by variable, aliases and __typename."""
    compiled, interpreted = two_apps
    seeded = await _community(runtime)
    ids = seeded["ids"]
    documents = [
        (
            'query Q($skip: Boolean!) { a: node(id: "bm9wZTox") { id } '
            'b: node(id: "' + ids["post"] + '") { __typename id ... on Post { body '
            "author @skip(if: $skip) { nickname } } } }",
            {"skip": True},
        ),
        (
            'query Q($skip: Boolean!) { b: node(id: "' + ids["post"] + '") { ... on Post { '
            "author @include(if: $skip) { nickname __typename } } } }",
            {"skip": True},
        ),
        ("{ feed(kind: LATEST, first: 2) { edges { cursor node { id likeCount } } } }", {}),
        ("{ feed(kind: LATEST, first: 0) { edges { node { id } } } }", {}),
        ("{ reviewQueue(stage: FIRST, first: 5) { totalCount } viewer { id } }", {}),
        ('{ viewer { user { nickname } } post(id: "x") { id } }', {}),
    ]
    for who, token in seeded["tokens"].items():
        for query, variables in documents:
            done, equal, why = await _compare(compiled, interpreted, query, variables, token)
            assert equal, f"as {who}: {query}\n{why}"
            assert done


SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
}


def _generated() -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=GENERATED,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=hg.queries(export_sdl(), custom_scalars=SCALARS))
    def collect(query: object) -> None:
        found.append(str(query))

    collect()
    return found


async def test_generated_documents_answer_the_same(runtime: Runtime, two_apps: Any) -> None:
    compiled, interpreted = two_apps
    seeded = await _community(runtime)
    queries = _generated()
    assert len(queries) >= min(GENERATED, 40)
    differences = []
    compared = 0
    for query in queries:
        done, equal, why = await _compare(
            compiled, interpreted, query, {}, seeded["tokens"]["operator"]
        )
        compared += done
        if not equal:
            differences.append(f"{query}\n{why}")
    assert differences == [], "\n\n".join(differences[:3])
    assert compared >= len(queries) - 6


async def test_contract_queries_run_compiled(runtime: Runtime, two_apps: Any) -> None:
    """The comparison above is not vacuous: the contract's queries were planned, not left
    to graphql-core."""
    from api.compiled import plans as module

    compiled, _ = two_apps
    seeded = await _community(runtime)
    for name in ("Feed", "PostDetail", "Viewer", "ReviewWorkbench"):
        await compiled.op(name, _variables(name, seeded)[0], token=seeded["tokens"]["operator"])
    planned = {entry[0].name.value for entry in module._plans.values() if entry[2] is not None}
    assert {"Feed", "PostDetail", "Viewer", "ReviewWorkbench"} <= planned
