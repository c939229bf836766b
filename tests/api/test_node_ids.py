"""One identity per object: every type with an `id: ID!` is a Node that node(id:) fetches
under the rule it is otherwise read by, and the member is one User to a normalised cache."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLNonNull, GraphQLObjectType, build_schema

from api.ids import to_global_id
from api.nodes import NODE_FETCHERS
from domain import mall, surveys
from domain.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    JoinPolicy,
    MallItemKind,
    ModerationAction,
    PointsEntry,
    Role,
    SanctionKind,
    SurveyQuestionKind,
)
from domain.sanctions import sanction_user
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import (
    RULES,
    make_answer,
    make_circle,
    make_collection,
    make_comment,
    make_event,
    make_feedback,
    make_notification,
    make_poll,
    make_post,
    make_question,
    make_report,
    make_topic,
    make_user,
    token_for,
)

SCHEMA = Path(__file__).resolve().parents[2] / "schema.graphql"
# Ids that are not a Node's, on purpose: the Viewer's is its User's (node(id:) answers the
# User), a JobHandle's is the queue's job id, a CalendarItem's the post's, event's or
# collection's behind it.
NOT_NODES = {"Viewer", "JobHandle", "CalendarItem"}
NODE = "query N($id: ID!) { node(id: $id) { __typename id } }"


def _types_with_an_id() -> dict[str, GraphQLObjectType]:
    schema = build_schema(SCHEMA.read_text(encoding="utf-8"))
    found = {}
    for name, kind in schema.type_map.items():
        if not isinstance(kind, GraphQLObjectType) or name.startswith("__"):
            continue
        field = kind.fields.get("id")
        if field is not None and isinstance(field.type, GraphQLNonNull):
            if str(field.type.of_type) == "ID":
                found[name] = kind
    return found


def test_every_type_with_an_id_is_a_node_that_node_id_can_fetch() -> None:
    types = _types_with_an_id()
    nodes = {name for name, kind in types.items() if any(i.name == "Node" for i in kind.interfaces)}
    assert set(types) - nodes == NOT_NODES
    assert nodes == set(NODE_FETCHERS)
    schema = SCHEMA.read_text(encoding="utf-8")
    assert "not a global ID" in schema  # JobHandle.id says so
    assert "The member's User ID: node(id:) answers it as the User" in schema
    assert "The global ID of the post, event or collection behind the item" in schema


@dataclass
class Case:
    type_name: str
    pk: int
    sees: object  # a member (or None: anyone, anonymously included)
    blind: object  # a member who gets null, or None when everyone may see it


async def _node(api: Api, runtime: Runtime, global_id: str, viewer: object) -> dict | None:
    token = token_for(runtime, viewer) if viewer is not None else None  # type: ignore[arg-type]
    result = await api.execute(NODE, {"id": global_id}, token=token)
    assert "errors" not in result, result
    node: dict | None = result["data"]["node"]
    return node


async def test_node_id_round_trips_every_type_under_the_rule_of_its_parent(
    api: Api, runtime: Runtime
) -> None:
    moderator = await make_user(role=Role.MODERATOR)
    operator = await make_user(role=Role.OPERATOR)
    insider, outsider = await make_user(), await make_user()
    closed = await make_circle(operator, join_policy=JoinPolicy.APPROVAL, members=[insider])
    poll = await make_poll(insider, circle_id=closed.id)
    post = poll.post
    question = await make_question(insider, circle_id=closed.id)
    comment = await make_comment(post, insider)
    answer = await make_answer(question, insider)
    ledger_line = await PointsEntry.filter(user_id=insider.id).first()
    assert ledger_line is not None
    report = await make_report(await make_post(outsider, "广告"), insider)
    sanction = await sanction_user(moderator, outsider.id, SanctionKind.MUTE, 1, "刷屏")
    log_entry = await ModerationAction.filter(target_id=outsider.id).first()
    assert log_entry is not None
    alert = await Alert.create(kind=AlertKind.DAU_DROP, severity=AlertSeverity.WARNING, value=3)
    shelf_off = await mall.create_item(
        operator,
        mall.ItemDraft(title="下架", kind=MallItemKind.VIRTUAL, price_points=1, active=False),
    )
    on_shelf = await mall.create_item(
        operator, mall.ItemDraft(title="在售", kind=MallItemKind.VIRTUAL, price_points=1)
    )
    redemption = await mall.redeem(insider, on_shelf.id, 1, "node", None, rules=RULES)
    survey = await surveys.create(
        operator,
        "问卷",
        None,
        None,
        None,
        [surveys.QuestionDraft(SurveyQuestionKind.SINGLE, "选哪个？", options=["甲", "乙"])],
    )
    [(survey_question, survey_options)] = await surveys.questions_of(survey.id)
    cases = [
        Case("User", outsider.id, None, None),
        Case("MallItem", shelf_off.id, operator, insider),
        Case("Redemption", redemption.id, insider, outsider),
        Case("Redemption", redemption.id, operator, outsider),
        Case("Survey", survey.id, None, None),
        Case("SurveyQuestion", survey_question.id, None, None),
        Case("SurveyOption", survey_options[0].id, None, None),
        Case("Topic", (await make_topic()).id, None, None),
        Case("Circle", closed.id, None, None),
        Case("Event", (await make_event(operator)).id, None, None),
        Case("Collection", (await make_collection(operator)).id, None, None),
        Case("Post", post.id, insider, outsider),
        Case("Poll", poll.id, insider, outsider),
        Case("PollOption", poll.options[0].id, insider, outsider),  # type: ignore[index]
        Case("Comment", comment.id, insider, outsider),
        Case("Answer", answer.id, insider, outsider),
        Case("Feedback", (await make_feedback(insider)).id, insider, outsider),
        Case("Feedback", (await make_feedback(outsider)).id, operator, insider),
        Case("Notification", (await make_notification(insider)).id, insider, outsider),
        Case("PointsEntry", ledger_line.id, insider, outsider),
        Case("Report", report.id, insider, outsider),
        Case("Report", report.id, moderator, outsider),
        Case("ReviewTask", report.task.id, moderator, insider),  # type: ignore[union-attr]
        Case("Sanction", sanction.id, moderator, outsider),
        Case("ModerationLogEntry", log_entry.id, operator, moderator),
        Case("Alert", alert.id, operator, moderator),
    ]
    assert {c.type_name for c in cases} == set(NODE_FETCHERS)
    for case in cases:
        global_id = to_global_id(case.type_name, case.pk)
        seen = await _node(api, runtime, global_id, case.sees)
        assert seen == {"__typename": case.type_name, "id": global_id}, case
        if case.blind is not None:
            assert await _node(api, runtime, global_id, case.blind) is None, case
            assert await _node(api, runtime, global_id, None) is None, case
        missing = to_global_id(case.type_name, case.pk + 10_000)
        assert await _node(api, runtime, missing, case.sees) is None, case


async def test_the_ids_the_api_writes_are_the_ones_node_id_answers(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    await make_poll(author, options=("甲", "乙"))
    token = token_for(runtime, author)
    feed = await api.op("Feed", {"kind": "LATEST", "first": 5}, token=token)
    (edge,) = feed["data"]["feed"]["edges"]
    poll = edge["node"]["poll"]
    for global_id, type_name in [
        (poll["id"], "Poll"),
        *((o["id"], "PollOption") for o in poll["options"]),
    ]:
        assert await _node(api, runtime, global_id, author) == {
            "__typename": type_name,
            "id": global_id,
        }
    history = await api.op("PointsHistory", {"first": 5}, token=token)
    (line,) = [e["node"] for e in history["data"]["pointsHistory"]["edges"]]
    assert (await _node(api, runtime, line["id"], author) or {}).get("__typename") == "PointsEntry"


async def test_the_viewer_is_the_same_user_to_a_normalised_cache(
    api: Api, runtime: Runtime
) -> None:
    member = await make_user(nickname="旧名字")
    token = token_for(runtime, member)
    user_id = to_global_id("User", member.id)
    updated = await api.execute(
        "mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { "
        "viewer { __typename id nickname user { __typename id nickname } } "
        "user { __typename id nickname } } }",
        {"input": {"nickname": "新名字"}},
        token=token,
    )
    payload = updated["data"]["updateProfile"]
    assert payload["user"] == {"__typename": "User", "id": user_id, "nickname": "新名字"}
    assert payload["viewer"]["id"] == user_id
    assert payload["viewer"]["user"] == payload["user"]
    # The Viewer's id is its User's: node(id:) answers that User.
    node = await api.execute(
        "query N($id: ID!) { node(id: $id) { __typename id ... on User { nickname } } }",
        {"id": payload["viewer"]["id"]},
    )
    assert node["data"]["node"] == {"__typename": "User", "id": user_id, "nickname": "新名字"}
