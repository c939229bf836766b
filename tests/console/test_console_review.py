"""The review workbench over HTTP: the queue with filters and clocks, a task's detail with the
rules said out loud, claims, and decisions one at a time or in bulk."""

from __future__ import annotations

from api.ids import to_global_id
from domain.models import ReportReason, Role
from tests.console.conftest import SignIn, csrf_of
from tests.factories import make_post, make_report, make_review_task, make_user


async def test_the_queue_filters_by_reason_and_shows_each_task_with_its_clock(
    sign_in: SignIn,
) -> None:
    spam = await make_post(await make_user(nickname="甲"), "加微信领红包")
    abuse = await make_post(await make_user(nickname="乙"), "你是个笨蛋")
    await make_report(spam, reason=ReportReason.SPAM)
    await make_report(abuse, reason=ReportReason.ABUSE)
    client = await sign_in(await make_user(role=Role.MODERATOR))

    everything = await client.get("/console/review?stage=FIRST")
    spam_only = await client.get("/console/review?stage=FIRST&reason=SPAM")
    final = await client.get("/console/review?stage=FINAL")  # not a moderator's: FIRST instead

    assert "加微信领红包" in everything.text and "你是个笨蛋" in everything.text
    assert "共 2 条" in everything.text and 'data-due="' in everything.text
    assert "加微信领红包" in spam_only.text and "你是个笨蛋" not in spam_only.text
    assert 'href="/console/review?stage=FINAL"' not in final.text


async def test_the_detail_highlights_listed_words_and_says_the_second_reviewer_rule(
    sign_in: SignIn,
) -> None:
    first = await make_user(role=Role.MODERATOR, nickname="张三")
    operator = await sign_in(await make_user(role=Role.OPERATOR))
    csrf = csrf_of(await operator.get("/console/words"))
    await operator.post(
        "/console/words/add",
        data={"words": "代购", "level": "REVIEW"},
        headers={"X-CSRF-Token": csrf},
    )
    post = await make_post(await make_user(), "海外代购，正品")
    task = await make_review_task(post)
    task_id = to_global_id("ReviewTask", task.id)
    zhang = await sign_in(first)
    escalated = await zhang.post(
        "/console/review/decide",
        data={"task_id": task_id, "decision": "ESCALATE", "violation": "SPAM", "note": "像广告"},
        headers={"X-CSRF-Token": csrf_of(await zhang.get("/console/review"))},
    )

    as_zhang = await zhang.get(f"/console/review/tasks/{task_id}")
    as_other = await operator.get(f"/console/review/tasks/{task_id}")

    assert escalated.status_code == 200 and 'data-ok="true"' in escalated.text
    assert '<mark class="review" title="送审">代购</mark>' in as_zhang.text
    assert "初审由 张三 处理，你不能复审" in as_zhang.text
    assert as_zhang.text.count("disabled") >= 2
    assert "初审由 张三 处理" in as_other.text and "你不能复审" not in as_other.text
    assert "像广告" in as_other.text and "垃圾广告" in as_other.text  # the history


async def test_a_claim_shows_its_holder_and_others_are_refused_by_name(sign_in: SignIn) -> None:
    task = await make_review_task(await make_post(await make_user(), "有点可疑"))
    task_id = to_global_id("ReviewTask", task.id)
    li = await sign_in(await make_user(role=Role.MODERATOR, nickname="老李"))
    wang = await sign_in(await make_user(role=Role.MODERATOR, nickname="小王"))

    claimed = await li.post(
        "/console/review/claim",
        data={"task_id": task_id},
        headers={"X-CSRF-Token": csrf_of(await li.get("/console/review"))},
    )
    seen = await wang.get("/console/review")
    refused = await wang.post(
        "/console/review/decide",
        data={"task_id": task_id, "decision": "APPROVE"},
        headers={"X-CSRF-Token": csrf_of(seen)},
    )

    assert "老李 已领取" in claimed.text and "释放" in claimed.text
    assert "老李 处理中" in seen.text
    assert 'data-ok="false"' in refused.text and "老李" in refused.text


async def test_a_bulk_decision_reports_each_task_and_one_refusal_stops_nothing(
    sign_in: SignIn,
) -> None:
    me = await make_user(role=Role.MODERATOR)
    mine = await make_review_task(await make_post(me, "我自己的帖子"))
    others = [
        await make_review_task(await make_post(await make_user(), f"帖子{i}")) for i in range(2)
    ]
    ids = [to_global_id("ReviewTask", t.id) for t in (*others, mine)]
    client = await sign_in(me)

    decided = await client.post(
        "/console/review/decide",
        data={"task_id": ids, "decision": "REJECT", "violation": "SPAM"},
        headers={"X-CSRF-Token": csrf_of(await client.get("/console/review"))},
    )

    assert decided.text.count('data-ok="true"') == 2
    assert decided.text.count('data-ok="false"') == 1
    assert f'data-task-id="{ids[2]}" data-ok="false"' in decided.text


async def test_a_rejection_can_sanction_the_author_in_the_same_step(sign_in: SignIn) -> None:
    author = await make_user(nickname="惯犯")
    task = await make_review_task(await make_post(author, "又来发广告"))
    client = await sign_in(await make_user(role=Role.MODERATOR))

    decided = await client.post(
        "/console/review/decide",
        data={
            "task_id": to_global_id("ReviewTask", task.id),
            "decision": "REJECT",
            "violation": "SPAM",
            "sanction": "1",
            "sanction_kind": "MUTE",
            "sanction_hours": "12",
            "sanction_reason": "屡次广告",
        },
        headers={"X-CSRF-Token": csrf_of(await client.get("/console/review"))},
    )
    sanctions = await client.get("/console/sanctions")

    assert 'data-ok="true"' in decided.text and "惯犯: 已处罚" in decided.text
    assert "惯犯" in sanctions.text and "屡次广告" in sanctions.text


async def test_the_workbench_speaks_english_to_an_english_browser(sign_in: SignIn) -> None:
    await make_review_task(await make_post(await make_user(), "something odd"))
    client = await sign_in(await make_user(role=Role.MODERATOR))

    page = await client.get("/console/review", headers={"Accept-Language": "en-US,en;q=0.8"})

    assert 'lang="en"' in page.text and "Review" in page.text and "First" in page.text
    assert "审核工作台" not in page.text
