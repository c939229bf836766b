"""Removed content stays removed: one hidden, one rejected and one deleted post, comment and
answer (and questions in every unpublished status) walked through every entry point that can
return them, as an anonymous caller, another member, their author and a moderator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from api.ids import from_global_id, to_global_id
from domain import circles, featured
from domain.content_status import set_status
from domain.models import JoinPolicy, PostStatus, Role, TargetType
from domain.publishing import NO_SCREENING
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_user, token_for

WORD = "隐身草"  # in every post, so search, topic and feeds all have them to find
TOPIC = "可见性"
REMOVED = ("HIDDEN", "REJECTED", "DELETED")
UNPUBLISHED_QUESTION = ("PENDING_REVIEW", "HIDDEN", "REJECTED", "DELETED")


@dataclass
class World:
    tokens: dict[str, str | None]  # viewer kind -> token (None: anonymous)
    shown: str  # a published post, proof that each entry point does list posts
    posts: dict[str, str] = field(default_factory=dict)  # status -> post id
    questions: dict[str, str] = field(default_factory=dict)  # status -> question id
    answer_of: dict[str, str] = field(default_factory=dict)  # question status -> its answer
    answers: dict[str, str] = field(default_factory=dict)  # status -> answer (published q.)
    comments: dict[str, str] = field(default_factory=dict)  # status -> comment
    question: str = ""  # the published question the removed answers belong to
    on_deleted_post: str = ""  # a published comment under a deleted post
    circle: str = ""
    collection: str = ""
    members_only: str = ""  # a published post of an APPROVAL circle
    insider: str = ""  # the token of an approved member of that circle
    members_circle: str = ""

    def all_removed_posts(self) -> set[str]:
        return set(self.posts.values()) | set(self.questions.values())


async def _status(target: TargetType, gid: str, status: str) -> None:
    async with in_transaction() as conn:
        await set_status(target, _pk(gid), PostStatus(status), conn)


def _pk(gid: str) -> int:
    return from_global_id(gid)[1]


async def _create(api: Api, token: str, **input: Any) -> str:
    result = await api.op("CreatePost", {"input": input}, token=token)
    return result["data"]["createPost"]["post"]["id"]


@pytest.fixture
async def world(api: Api, runtime: Runtime) -> World:
    author = await make_user(nickname="作者")
    other = await make_user(nickname="路人")
    moderator = await make_user(nickname="版主", role=Role.MODERATOR)
    operator = await make_user(nickname="运营", role=Role.OPERATOR)
    t_author, t_other = token_for(runtime, author), token_for(runtime, other)
    circle = await circles.create_circle(operator, "可见性圈")
    await circles.join_circle(author, circle.id)
    await circles.join_circle(other, circle.id)
    collection = await featured.create_collection(operator, "可见性专题", screener=NO_SCREENING)
    body = f"{WORD} 今天的帖子 #{TOPIC}#"
    circle_gid = to_global_id("Circle", circle.id)
    w = World(
        tokens={
            "anonymous": None,
            "member": t_other,
            "author": t_author,
            "moderator": token_for(runtime, moderator),
        },
        shown=await _create(api, t_author, body=body, circleId=circle_gid),
        circle=circle_gid,
        collection=to_global_id("Collection", collection.id),
    )
    for status in REMOVED:  # each its own post, not the first sent again (domain/resubmits)
        w.posts[status] = await _create(api, t_author, body=f"{body} {status}", circleId=circle_gid)
    for status in UNPUBLISHED_QUESTION:
        w.questions[status] = await _create(
            api, t_author, body=body, kind="QUESTION", title=f"{WORD}问题{status}"
        )
        answered = await api.op(
            "AnswerQuestion", {"questionId": w.questions[status], "body": "回答"}, token=t_other
        )
        w.answer_of[status] = answered["data"]["answerQuestion"]["answer"]["id"]
    w.question = await _create(api, t_author, body=body, kind="QUESTION", title=f"{WORD}好问题")
    for status in REMOVED:
        responder = await make_user()
        answered = await api.op(
            "AnswerQuestion",
            {"questionId": w.question, "body": f"回答{status}"},
            token=token_for(runtime, responder),
        )
        w.answers[status] = answered["data"]["answerQuestion"]["answer"]["id"]
    for status in REMOVED:  # the post's author is told of each comment
        added = await api.op(
            "AddComment", {"postId": w.shown, "body": f"评论{status}"}, token=t_other
        )
        w.comments[status] = added["data"]["addComment"]["comment"]["id"]
    kept = await api.op("AddComment", {"postId": w.shown, "body": "留着的评论"}, token=t_other)
    assert "errors" not in kept
    added = await api.op(
        "AddComment", {"postId": w.posts["DELETED"], "body": "删帖下的评论"}, token=t_other
    )
    w.on_deleted_post = added["data"]["addComment"]["comment"]["id"]
    closed = await circles.create_circle(operator, "审核圈", join_policy=JoinPolicy.APPROVAL)
    insider = await make_user(nickname="圈内人")
    await circles.join_circle(insider, closed.id)
    await circles.approve_member(operator, closed.id, insider.id)
    w.insider = token_for(runtime, insider)
    closed_gid = w.members_circle = to_global_id("Circle", closed.id)
    w.members_only = await _create(api, w.insider, body=body, circleId=closed_gid)
    for gid in [w.shown, w.members_only, *w.posts.values(), *w.questions.values()]:
        await featured.feature_post(operator, _pk(gid), rules=RULES)
        await featured.add_to_collection(operator, collection.id, _pk(gid))
    # Snapshots (HOT, topic HOT) taken while everything was still published.
    await api.op("Feed", {"kind": "HOT"})
    await api.op("TopicFeed", {"name": TOPIC, "orderBy": "HOT"})

    for status in ("HIDDEN", "REJECTED"):
        await _status(TargetType.POST, w.posts[status], status)
        await _status(TargetType.COMMENT, w.comments[status], status)
        await _status(TargetType.ANSWER, w.answers[status], status)
    for status in ("PENDING_REVIEW", "HIDDEN", "REJECTED"):
        await _status(TargetType.POST, w.questions[status], status)
    await _status(TargetType.ANSWER, w.answers["DELETED"], "DELETED")
    for gid in (w.posts["DELETED"], w.questions["DELETED"]):
        assert "errors" not in await api.op("DeletePost", {"id": gid}, token=t_author)
    deleted = await api.op("DeleteComment", {"id": w.comments["DELETED"]}, token=t_other)
    assert "errors" not in deleted
    return w


def _ids(connection: dict[str, Any]) -> set[str]:
    return {edge["node"]["id"] for edge in connection["edges"] if "id" in edge["node"]}


async def _listed_posts(
    api: Api, w: World, token: str | None, circle: str = ""
) -> dict[str, set[str]]:
    """Every list of posts, by name."""
    lists: dict[str, set[str]] = {}
    for kind in ("LATEST", "HOT", "RECOMMENDED", "FEATURED", "FOLLOWING"):
        result = await api.op("Feed", {"kind": kind, "first": 50}, token=token)
        if result.get("data"):  # FOLLOWING asks for a member
            lists[f"feed {kind}"] = _ids(result["data"]["feed"])
    for order in ("LATEST", "HOT"):
        variables = {"name": TOPIC, "orderBy": order, "first": 50}
        result = await api.op("TopicFeed", variables, token=token)
        lists[f"topic {order}"] = _ids(result["data"]["topic"]["posts"])
    result = await api.op("CircleFeed", {"id": circle or w.circle, "first": 50}, token=token)
    lists["circle"] = _ids(result["data"]["circle"]["posts"])
    result = await api.op("CollectionPosts", {"id": w.collection, "first": 50}, token=token)
    lists["collection"] = _ids(result["data"]["collection"]["posts"])
    for kind in ("POSTS", "QUESTIONS"):
        result = await api.op("Search", {"query": WORD, "kind": kind, "first": 50}, token=token)
        lists[f"search {kind}"] = _ids(result["data"]["search"])
    return lists


@pytest.mark.parametrize("viewer", ["anonymous", "member", "author", "moderator"])
async def test_no_list_of_posts_shows_a_removed_post_or_question_to_anyone(
    api: Api, world: World, viewer: str
) -> None:
    lists = await _listed_posts(api, world, world.tokens[viewer])
    assert world.shown in lists["feed LATEST"] | lists["circle"] | lists["collection"]
    for name, ids in lists.items():
        assert not ids & world.all_removed_posts(), name


async def test_a_members_own_list_shows_their_hidden_and_rejected_posts_to_them_only(
    api: Api, world: World
) -> None:
    author_id = (await api.op("Viewer", token=world.tokens["author"]))["data"]["viewer"]["id"]
    seen = {}
    for viewer, token in world.tokens.items():
        result = await api.op("UserProfile", {"id": author_id, "first": 50}, token=token)
        seen[viewer] = _ids(result["data"]["user"]["posts"])
    removed = world.all_removed_posts()
    assert not seen["anonymous"] & removed and not seen["member"] & removed
    kept = {world.posts["HIDDEN"], world.posts["REJECTED"]}
    assert kept <= seen["author"]
    assert not seen["author"] & {world.posts["DELETED"], world.questions["DELETED"]}


POST_BY_ID = "query($id: ID!) { post(id: $id) { id } node(id: $id) { id } }"


@pytest.mark.parametrize("status", REMOVED)
async def test_a_removed_post_by_id_is_seen_only_by_its_author_and_staff_until_deleted(
    api: Api, world: World, status: str
) -> None:
    gid = world.posts[status]
    for viewer, token in world.tokens.items():
        data = (await api.execute(POST_BY_ID, {"id": gid}, token=token))["data"]
        may_see = status != "DELETED" and viewer in ("author", "moderator")
        assert data == (
            {"post": {"id": gid}, "node": {"id": gid}} if may_see else {"post": None, "node": None}
        ), (viewer, status)


ANSWER_QUESTION = """query($id: ID!) {
  node(id: $id) { ... on Answer { id question { id status title body } } }
}"""


@pytest.mark.parametrize("status", UNPUBLISHED_QUESTION)
async def test_an_answer_never_reveals_a_question_its_reader_may_not_see(
    api: Api, world: World, status: str
) -> None:
    for viewer, token in world.tokens.items():
        data = await api.execute(ANSWER_QUESTION, {"id": world.answer_of[status]}, token=token)
        node = data["data"]["node"]
        if status == "DELETED":
            assert node is None, viewer  # an answer under a deleted question is gone too
        elif viewer in ("author", "moderator"):
            assert node["question"]["id"] == world.questions[status], viewer
        else:
            assert node is None or node["question"] is None, (viewer, status)


async def test_answers_under_a_deleted_question_cannot_be_voted(
    api: Api, world: World, runtime: Runtime
) -> None:
    voter = await make_user()
    result = await api.op(
        "VoteAnswer",
        {"answerId": world.answer_of["DELETED"], "value": "UP"},
        token=token_for(runtime, voter),
    )
    assert error_codes(result) == ["NOT_FOUND"]


ANSWER_BY_ID = "query($id: ID!) { node(id: $id) { ... on Answer { id body } } }"


@pytest.mark.parametrize("viewer", ["anonymous", "member", "author", "moderator"])
async def test_removed_answers_show_nowhere(api: Api, world: World, viewer: str) -> None:
    token = world.tokens[viewer]
    question = await api.op("QuestionAnswers", {"id": world.question, "first": 50}, token=token)
    listed = _ids(question["data"]["post"]["answers"])
    assert len(listed) == 0 and question["data"]["post"]["answerCount"] == 0
    for status, gid in world.answers.items():
        node = (await api.execute(ANSWER_BY_ID, {"id": gid}, token=token))["data"]["node"]
        assert node is None, (viewer, status)


COMMENT_BY_ID = "query($id: ID!) { node(id: $id) { ... on Comment { id body } } }"


@pytest.mark.parametrize("viewer", ["anonymous", "member", "author", "moderator"])
async def test_removed_comments_and_comments_of_deleted_posts_show_nowhere(
    api: Api, world: World, viewer: str
) -> None:
    token = world.tokens[viewer]
    detail = await api.op("PostDetail", {"id": world.shown, "first": 50}, token=token)
    assert not _ids(detail["data"]["post"]["comments"]) & set(world.comments.values())
    for gid in [*world.comments.values(), world.on_deleted_post]:
        node = (await api.execute(COMMENT_BY_ID, {"id": gid}, token=token))["data"]["node"]
        assert node is None, (viewer, gid)
        replies = await api.op("CommentReplies", {"id": gid}, token=token)
        assert replies["data"]["node"] is None, (viewer, gid)


async def test_a_comment_under_a_deleted_post_cannot_be_liked_or_reported(
    api: Api, world: World, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    result = await api.op("LikeComment", {"commentId": world.on_deleted_post}, token=token)
    assert error_codes(result) == ["NOT_FOUND"]
    report = {"targetType": "COMMENT", "targetId": world.on_deleted_post, "reason": "SPAM"}
    assert error_codes(await api.op("ReportContent", report, token=token)) == ["NOT_FOUND"]


async def test_notifications_never_show_or_quote_a_hidden_rejected_or_deleted_comment_or_answer(
    api: Api, world: World
) -> None:
    result = await api.op("Notifications", {"first": 50}, token=world.tokens["author"])
    edges = result["data"]["notifications"]["edges"]
    comments = [e["node"]["comment"] for e in edges if e["node"]["comment"] is not None]
    bodies = {c["body"] for c in comments}
    assert "留着的评论" in bodies  # a published comment is shown
    assert not bodies & {f"评论{status}" for status in REMOVED}
    assert not {c["id"] for c in comments} & set(world.comments.values())
    posts = {e["node"]["post"]["id"] for e in edges if e["node"]["post"]}
    assert not posts & {world.posts["DELETED"], world.questions["DELETED"]}
    texts = " ".join(e["node"]["text"] for e in edges)
    assert "留着的评论" in texts  # the words of what is still there are quoted
    for status in REMOVED:  # never the words of what was removed
        assert f"评论{status}" not in texts and f"回答{status}" not in texts, texts


async def test_an_approval_circles_posts_are_read_by_its_members_and_staff_only(
    api: Api, world: World
) -> None:
    post = world.members_only
    circle_gid = world.members_circle
    readers = {"insider": world.insider, "moderator": world.tokens["moderator"]}
    outsiders = {k: world.tokens[k] for k in ("anonymous", "member", "author")}
    for viewer, token in {**readers, **outsiders}.items():
        lists = await _listed_posts(api, world, token, circle_gid)
        data = (await api.execute(POST_BY_ID, {"id": post}, token=token))["data"]
        if viewer in readers:
            assert data == {"post": {"id": post}, "node": {"id": post}}, viewer
            for name in ("feed LATEST", "feed HOT", "topic LATEST", "topic HOT", "circle"):
                assert post in lists[name], (viewer, name)
            assert post in lists["search POSTS"] and post in lists["collection"], viewer
        else:
            assert data == {"post": None, "node": None}, viewer
            for name, ids in lists.items():
                assert post not in ids, (viewer, name)


async def test_a_non_member_cannot_like_comment_on_or_share_an_approval_circles_post(
    api: Api, world: World
) -> None:
    post = {"postId": world.members_only}
    attempts = [
        ("LikePost", post),
        ("AddComment", {**post, "body": "路过"}),
        ("SharePost", {**post, "channel": "COPY_LINK"}),
    ]
    poll = await api.op(
        "CreatePost",
        {
            "input": {
                "body": "去哪",
                "kind": "POLL",
                "poll": {"options": ["山", "海"]},
                "circleId": world.members_circle,
            }
        },
        token=world.insider,
    )
    poll_post = poll["data"]["createPost"]["post"]
    options = await api.op("PostDetail", {"id": poll_post["id"]}, token=world.insider)
    option = options["data"]["post"]["poll"]["options"][0]["id"]
    attempts.append(("VotePoll", {"postId": poll_post["id"], "optionIds": [option]}))
    for name, variables in attempts:
        for token in (world.tokens["member"], world.tokens["author"]):
            assert error_codes(await api.op(name, variables, token=token)) == ["NOT_FOUND"], name
        assert "errors" not in await api.op(name, variables, token=world.insider), name


async def test_a_non_member_neither_answers_nor_votes_in_an_approval_circles_question(
    api: Api, world: World
) -> None:
    question = await _create(
        api,
        world.insider,
        kind="QUESTION",
        title="圈内提问",
        body="只给圈内人看",
        circleId=world.members_circle,
    )
    outsider, other = world.tokens["member"], world.tokens["author"]
    answer = {"questionId": question, "body": "我来答"}
    assert error_codes(await api.op("AnswerQuestion", answer, token=outsider)) == ["NOT_FOUND"]
    inside = await api.op("AnswerQuestion", answer, token=world.insider)
    answer_id = inside["data"]["answerQuestion"]["answer"]["id"]
    vote = {"answerId": answer_id, "value": "UP"}
    for token in (outsider, other):
        assert error_codes(await api.op("VoteAnswer", vote, token=token)) == ["NOT_FOUND"]
