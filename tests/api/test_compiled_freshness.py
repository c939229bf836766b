"""What compiled plans keep between requests (api/compiled) never shows a viewer something
stale about themselves or something they may no longer see: a card's public part is reused
only while the post's content is the same, and everything about the viewer is asked anew."""

from __future__ import annotations

from typing import Any

from api.compiled import plan_cache_clear
from api.ids import to_global_id
from domain.models import Role
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_poll, make_post, make_user, token_for


def _card(feed: dict[str, Any], post_id: str) -> dict[str, Any] | None:
    for edge in feed["data"]["feed"]["edges"]:
        if edge["node"]["id"] == post_id:
            return edge["node"]
    return None


async def _latest(api: Api, token: str) -> dict[str, Any]:
    answer = await api.op("Feed", {"kind": "LATEST", "first": 20}, token=token)
    assert "errors" not in answer, answer
    return answer


async def test_likes_counts_and_edits_show_at_once(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    author, liker, other = await make_user(), await make_user(), await make_user()
    post = await make_post(author, "第一版")
    pid = to_global_id("Post", post.id)
    tokens = {u.id: token_for(runtime, u) for u in (author, liker, other)}
    for token in tokens.values():  # every plan and part is warm
        card = _card(await _latest(api, token), pid)
        assert card is not None and card["likeCount"] == 0 and not card["viewerHasLiked"]

    liked = await api.op("LikePost", {"postId": pid}, token=tokens[liker.id])
    assert liked["data"]["likePost"]["post"] == {"id": pid, "likeCount": 1, "viewerHasLiked": True}
    mine = _card(await _latest(api, tokens[liker.id]), pid)
    theirs = _card(await _latest(api, tokens[other.id]), pid)
    assert mine is not None and (mine["likeCount"], mine["viewerHasLiked"]) == (1, True)
    assert theirs is not None and (theirs["likeCount"], theirs["viewerHasLiked"]) == (1, False)

    await api.op("UnlikePost", {"postId": pid}, token=tokens[liker.id])
    mine = _card(await _latest(api, tokens[liker.id]), pid)
    assert mine is not None and (mine["likeCount"], mine["viewerHasLiked"]) == (0, False)

    edited = await api.op(
        "EditPost", {"id": pid, "input": {"body": "第二版"}}, token=tokens[author.id]
    )
    assert "errors" not in edited, edited
    for token in tokens.values():
        card = _card(await _latest(api, token), pid)
        assert card is not None and card["body"] == "第二版"


async def test_a_renamed_author_shows_on_every_card(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    author, reader = await make_user(nickname="旧名字"), await make_user()
    post = await make_post(author, "你好")
    pid = to_global_id("Post", post.id)
    token = token_for(runtime, reader)
    card = _card(await _latest(api, token), pid)
    assert card is not None and card["author"]["nickname"] == "旧名字"
    renamed = await api.op(
        "UpdateProfile", {"input": {"nickname": "新名字"}}, token=token_for(runtime, author)
    )
    assert "errors" not in renamed, renamed
    card = _card(await _latest(api, token), pid)
    assert card is not None and card["author"]["nickname"] == "新名字"


async def test_a_deleted_or_hidden_post_is_gone_at_once(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    author, reader = await make_user(), await make_user()
    operator = await make_user(role=Role.OPERATOR)
    deleted = await make_post(author, "要删掉的")
    hidden = await make_post(author, "要隐藏的")
    did, hid = to_global_id("Post", deleted.id), to_global_id("Post", hidden.id)
    token = token_for(runtime, reader)
    feed = await _latest(api, token)
    assert _card(feed, did) is not None and _card(feed, hid) is not None

    gone = await api.op("DeletePost", {"id": did}, token=token_for(runtime, author))
    assert gone["data"]["deletePost"]["ok"] is True
    hide = await api.execute(
        "mutation($u: ID!, $s: DateTime!) { hideMemberContent(userId: $u, since: $s,"
        ' reason: "广告") { __typename } }',
        {"u": to_global_id("User", author.id), "s": "2000-01-01T00:00:00Z"},
        token=token_for(runtime, operator),
    )
    assert "errors" not in hide, hide
    feed = await _latest(api, token)
    assert _card(feed, did) is None and _card(feed, hid) is None
    for pid in (did, hid):
        detail = await api.op("PostDetail", {"id": pid, "first": 5}, token=token)
        assert detail["data"]["post"] is None


async def test_a_poll_shows_each_viewer_their_own_vote(api: Api, runtime: Runtime) -> None:
    plan_cache_clear()
    poll = await make_poll(await make_user())
    pid = to_global_id("Post", poll.post.id)
    voter, other = await make_user(), await make_user()
    option = to_global_id("PollOption", poll.options[0].id)
    tokens = {"voter": token_for(runtime, voter), "other": token_for(runtime, other)}
    for token in tokens.values():
        card = _card(await _latest(api, token), pid)
        assert card is not None and card["poll"]["viewerVotedOptionIds"] == []
    voted = await api.op("VotePoll", {"postId": pid, "optionIds": [option]}, token=tokens["voter"])
    assert "errors" not in voted, voted
    mine = _card(await _latest(api, tokens["voter"]), pid)
    theirs = _card(await _latest(api, tokens["other"]), pid)
    assert mine is not None and mine["poll"]["viewerVotedOptionIds"] == [option]
    assert mine["poll"]["totalVoters"] == 1 and mine["poll"]["options"][0]["voteCount"] == 1
    assert theirs is not None and theirs["poll"]["viewerVotedOptionIds"] == []
    assert theirs["poll"]["options"][0]["voteCount"] == 1
