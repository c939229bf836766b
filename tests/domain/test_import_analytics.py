"""The Stack Exchange import, and the analytics on top of it checked against the raw XML."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.models import Answer, Comment, Post, Role, User
from quanzi.bootstrap import Runtime
from quanzi.tools.stackexchange_import import import_stackexchange
from tests.conftest import Api
from tests.factories import RULES, make_user, token_for

DUMP = Path(
    os.environ.get("QUANZI_SE_DUMP")  # a worktree elsewhere names the shared dump
    or Path(__file__).resolve().parents[3] / "shared" / "data" / "stackexchange-cardano"
)
TZ = ZoneInfo("Asia/Shanghai")


def _write(path: Path, root: str, rows: list[dict[str, str]]) -> None:
    el = ET.Element(root)
    for row in rows:
        ET.SubElement(el, "row", row)
    ET.ElementTree(el).write(path, encoding="utf-8", xml_declaration=True)


@pytest.fixture
def tiny_dump(tmp_path: Path) -> Path:
    """Three members, two questions, answers (one repeated by its author) and comments."""
    _write(
        tmp_path / "Users.xml",
        "users",
        [
            {"Id": "1", "CreationDate": "2021-05-01T02:00:00.000", "DisplayName": "Ada"},
            {"Id": "2", "CreationDate": "2021-05-01T03:00:00.000", "DisplayName": "Bo"},
            {"Id": "3", "CreationDate": "2021-05-02T03:00:00.000", "DisplayName": "Cy"},
        ],
    )
    _write(
        tmp_path / "Posts.xml",
        "posts",
        [
            {
                "Id": "10",
                "PostTypeId": "1",
                "CreationDate": "2021-05-01T04:00:00.000",
                "OwnerUserId": "1",
                "Title": "What is staking?",
                "Body": "<p>Explain &amp; help</p>",
                "Tags": "<staking><wallet>",
                "AcceptedAnswerId": "20",
                "ViewCount": "7",
            },
            {
                "Id": "11",
                "PostTypeId": "1",
                "CreationDate": "2021-05-02T04:00:00.000",
                "OwnerUserId": "3",
                "Title": "Unanswered",
                "Body": "<p>Anyone?</p>",
                "Tags": "|misc|",
            },
            {
                "Id": "20",
                "PostTypeId": "2",
                "ParentId": "10",
                "CreationDate": "2021-05-01T05:00:00.000",
                "OwnerUserId": "2",
                "Body": "<p>Delegate ADA</p>",
                "Score": "3",
            },
            {
                "Id": "21",
                "PostTypeId": "2",
                "ParentId": "10",
                "CreationDate": "2021-05-03T05:00:00.000",
                "OwnerUserId": "2",
                "Body": "<p>Again</p>",
                "Score": "1",
            },
        ],
    )
    _write(
        tmp_path / "Comments.xml",
        "comments",
        [
            {
                "Id": "30",
                "PostId": "11",
                "CreationDate": "2021-05-04T05:00:00.000",
                "UserId": "1",
                "Text": "Late comment",
            },
            {
                "Id": "31",
                "PostId": "20",
                "CreationDate": "2021-05-08T05:00:00.000",
                "UserId": "1",
                "Text": "On an answer",
            },
            {
                "Id": "32",
                "PostId": "21",
                "CreationDate": "2021-05-08T06:00:00.000",
                "UserId": "3",
                "Text": "On the answer that was not kept",
            },
        ],
    )
    return tmp_path


async def test_importing_a_dump_keeps_its_shape_and_twice_changes_nothing(
    runtime: Runtime, tiny_dump: Path
) -> None:
    first = await import_stackexchange(tiny_dump, RULES.calendar)
    assert (first.users, first.questions, first.answers, first.comments) == (3, 2, 1, 2)
    assert first.answer_comments == 1
    assert first.skipped == {
        "second answer by the same member": 1,
        "comment on an answer or question not kept": 1,
    }
    again = await import_stackexchange(tiny_dump, RULES.calendar)
    assert (again.users, again.questions, again.answers, again.comments) == (0, 0, 0, 0)
    assert await Post.all().count() == 2 and await User.all().count() == 3
    question = await Post.get(title="What is staking?")
    assert question.body == "Explain & help"
    assert question.created_at == datetime.fromisoformat("2021-05-01T04:00:00+00:00")
    assert (question.answer_count, question.view_count) == (1, 7)
    answer = await Answer.get(question_id=question.id)
    assert (answer.is_accepted, answer.vote_count) == (True, 3)
    assert question.accepted_answer_id == answer.id
    assert await Comment.all().count() == 2
    on_answer = await Comment.get(answer_id=answer.id)
    assert on_answer.post_id == question.id and answer.comment_count == 1  # type: ignore[attr-defined]
    assert on_answer.created_at == datetime.fromisoformat("2021-05-08T05:00:00+00:00")
    assert question.comment_count == 0  # the question's own comments only


async def test_analytics_on_a_tiny_dump_are_the_hand_computed_numbers(
    api: Api, runtime: Runtime, tiny_dump: Path
) -> None:
    await import_stackexchange(tiny_dump, RULES.calendar)
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    result = await api.op(
        "CommunityMetrics", {"from": "2021-05-01", "to": "2021-05-08"}, token=operator
    )
    data = result["data"]["communityMetrics"]
    dau = [d["dau"] for d in data["days"]]
    # 05-01: Ada asks, Bo answers; 05-02: Cy asks; 05-03: Bo answers again (not kept, but active);
    # 05-04: Ada comments; 05-08: Ada comments on an answer, Cy on the one not kept.
    assert dau == [2, 1, 1, 1, 0, 0, 0, 2]
    assert [d["comments"] for d in data["days"]][-1] == 1  # the answer's comment counts
    assert [d["newUsers"] for d in data["days"]][:3] == [2, 1, 0]
    assert [d["posts"] for d in data["days"]][:2] == [1, 1]
    assert (data["wau"], data["mau"]) == (3, 3)  # 05-02..05-08: Cy, Bo, Ada
    assert data["replyRate"] == 0.5  # the first question was answered within 24 hours
    cohorts = await api.op(
        "RetentionCohorts",
        {"from": "2021-05-01", "to": "2021-05-02", "days": [1, 2, 3]},
        token=operator,
    )
    rows = {
        c["cohortDate"]: [(p["day"], p["retained"]) for p in c["points"]]
        for c in cohorts["data"]["retentionCohorts"]
    }
    assert rows == {
        "2021-05-01": [(1, 0), (2, 1), (3, 1)],  # Bo on 05-03, Ada on 05-04
        "2021-05-02": [(1, 0), (2, 0), (3, 0)],
    }


@pytest.mark.skipif(not DUMP.is_dir(), reason="../shared/data/stackexchange-cardano is not here")
async def test_analytics_on_the_cardano_dump_match_an_independent_count_of_the_xml(
    api: Api, runtime: Runtime
) -> None:
    report = await import_stackexchange(DUMP, RULES.calendar)
    # Every comment with an author on a kept question or answer: 613 + 1,213 of 1,829.
    assert (report.comments, report.answer_comments) == (1826, 1213)
    assert await Comment.filter(answer_id=None).count() == 613
    posts = [dict(r.attrib) for r in ET.parse(DUMP / "Posts.xml").getroot()]
    comments = [dict(r.attrib) for r in ET.parse(DUMP / "Comments.xml").getroot()]
    users = [dict(r.attrib) for r in ET.parse(DUMP / "Users.xml").getroot()]

    def day_of(stamp: str) -> date:
        return datetime.fromisoformat(stamp + "+00:00").astimezone(TZ).date()

    active: dict[date, set[str]] = defaultdict(set)
    for p in posts:
        if p.get("PostTypeId") in ("1", "2"):
            active[day_of(p["CreationDate"])].add(p.get("OwnerUserId") or "-1")
    for c in comments:
        active[day_of(c["CreationDate"])].add(c.get("UserId") or "-1")
    joined: dict[date, set[str]] = defaultdict(set)
    for u in users:
        joined[day_of(u["CreationDate"])].add(u["Id"])

    start, end = date(2021, 4, 27), date(2021, 5, 26)
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    result = await api.op(
        "CommunityMetrics", {"from": start.isoformat(), "to": end.isoformat()}, token=operator
    )
    data = result["data"]["communityMetrics"]
    expected_dau = [len(active[start + timedelta(days=i)]) for i in range((end - start).days + 1)]
    assert [d["dau"] for d in data["days"]] == expected_dau
    assert data["mau"] == len(set().union(*(active[end - timedelta(days=i)] for i in range(30))))

    questions = {p["Id"]: p for p in posts if p.get("PostTypeId") == "1"}
    first_reply: dict[str, datetime] = {}
    for item in [*(p for p in posts if p.get("PostTypeId") == "2"), *comments]:
        target = item.get("ParentId") or item.get("PostId")
        if target in questions:
            at = datetime.fromisoformat(item["CreationDate"])
            first_reply[target] = min(first_reply.get(target, at), at)
    in_range = [q for q in questions.values() if start <= day_of(q["CreationDate"]) <= end]
    replied = [
        q
        for q in in_range
        if q["Id"] in first_reply
        and first_reply[q["Id"]] - datetime.fromisoformat(q["CreationDate"]) <= timedelta(hours=24)
    ]
    assert data["replyRate"] == round(len(replied) / len(in_range), 6)

    cohorts = await api.op(
        "RetentionCohorts",
        {"from": "2021-04-27", "to": "2021-05-03", "days": [1, 7, 30]},
        token=operator,
    )
    for cohort in cohorts["data"]["retentionCohorts"]:
        day = date.fromisoformat(cohort["cohortDate"])
        members = joined[day]
        assert cohort["size"] == len(members)
        for point in cohort["points"]:
            kept = members & active[day + timedelta(days=point["day"])]
            assert point["retained"] == len(kept), (day, point)


async def test_an_import_scores_every_member_at_once(
    api: Api, runtime: Runtime, tiny_dump: Path
) -> None:
    report = await import_stackexchange(tiny_dump, RULES.calendar)
    assert report.segments == {"NEW": 0, "ACTIVE": 0, "CASUAL": 0, "DORMANT": 0, "CHURNED": 3}
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    result = (await api.op("SegmentsWithTime", token=operator))["data"]
    assert {s["name"]: s["count"] for s in result["userSegments"]}["CHURNED"] == 3
    scored = datetime.fromisoformat(result["segmentsScoredAt"])
    assert timedelta(0) <= datetime.now(scored.tzinfo) - scored < timedelta(minutes=1)
