"""The word list as the console shows it (hit counts, search), a check of a text with offsets a
browser can highlight, and the moderation log's filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.ids import to_global_id
from domain import word_hits
from domain.models import ModerationAction, Role, SensitiveWord
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for


def _utf16(text: str) -> int:
    """The length JavaScript gives a string: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


async def _add(api: Api, token: str, words: list[str], level: str) -> None:
    result = await api.op("AddSensitiveWords", {"words": words, "level": level}, token=token)
    assert "errors" not in result, result


async def _words(api: Api, token: str, **variables: object) -> dict:
    result = await api.op("SensitiveWords", variables, token=token)
    assert "errors" not in result, result
    return result["data"]["sensitiveWords"]


async def test_the_word_list_counts_each_write_a_word_matched_and_when(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    await _add(api, operator, ["赌博", "代开发票"], "BLOCK")
    await _add(api, operator, ["代购"], "REVIEW")
    member = token_for(runtime, await make_user())
    before = datetime.now(UTC)
    for body in ("海外代购", "代购代购", "线上賭*博"):
        await api.op("CreatePost", {"input": {"body": body}}, token=member)
    checked = await api.op("CheckText", {"text": "代购 赌博"}, token=moderator)
    assert checked["data"]["checkText"]["verdict"] == "BLOCK"  # a check is not a hit

    async def hits() -> dict[str, tuple[int, datetime | None]]:
        found = await _words(api, moderator)
        return {
            e["node"]["word"]: (
                e["node"]["hitCount"],
                datetime.fromisoformat(e["node"]["lastHitAt"]) if e["node"]["lastHitAt"] else None,
            )
            for e in found["edges"]
        }

    counted = await hits()
    assert {w: n for w, (n, _) in counted.items()} == {"代购": 2, "赌博": 1, "代开发票": 0}
    assert counted["代购"][1] is not None and counted["代购"][1] >= before.replace(microsecond=0)
    assert counted["代开发票"][1] is None
    # The job moves the counts into the table; what the list shows does not change.
    assert await word_hits.flush_hits(runtime.store) == 2
    assert await hits() == counted
    stored = await SensitiveWord.get(word="代购")
    assert stored.hit_count == 2 and stored.last_hit_at is not None
    assert await word_hits.flush_hits(runtime.store) == 0
    await api.op("CreatePost", {"input": {"body": "代购"}}, token=member)
    assert (await hits())["代购"][0] == 3


async def test_the_word_list_filters_by_level_and_text_and_counts_what_matches(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    await _add(api, operator, ["赌博", "代开发票", "100%_off"], "BLOCK")
    await _add(api, operator, ["代购"], "REVIEW")
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))

    def words(found: dict) -> list[str]:
        return [e["node"]["word"] for e in found["edges"]]

    every = await _words(api, moderator)
    assert every["totalCount"] == 4 and set(words(every)) == {
        "赌博",
        "代开发票",
        "100%_off",
        "代购",
    }
    block = await _words(api, moderator, level="BLOCK", first=2)
    assert (block["totalCount"], len(block["edges"]), block["pageInfo"]["hasNextPage"]) == (
        3,
        2,
        True,
    )
    rest = await _words(api, moderator, level="BLOCK", after=block["pageInfo"]["endCursor"])
    assert len(set(words(block) + words(rest))) == 3
    found = await _words(api, moderator, query="代")
    assert (found["totalCount"], set(words(found))) == (2, {"代购", "代开发票"})
    assert words(await _words(api, moderator, query="%_")) == ["100%_off"]
    assert words(await _words(api, moderator, query="OFF", level="BLOCK")) == ["100%_off"]
    [node] = [e["node"] for e in (await _words(api, moderator, query="代购"))["edges"]]
    assert (node["level"], node["hitCount"], node["lastHitAt"]) == ("REVIEW", 0, None)
    # Moderators read the list; editing it stays with operators.
    assert error_codes(
        await api.op("AddSensitiveWords", {"words": ["x"], "level": "BLOCK"}, token=moderator)
    ) == ["FORBIDDEN"]


async def test_check_text_finds_disguised_words_at_utf16_offsets_of_the_text_as_given(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    await _add(api, operator, ["赌博"], "BLOCK")
    await _add(api, operator, ["代购"], "REVIEW")
    moderator = token_for(runtime, await make_user(role=Role.MODERATOR))
    # An emoji (two UTF-16 units) before a traditional, full-width-star-split 赌博, then 代購.
    prefix = "😀👍 来玩"
    disguised = "賭＊博"
    middle = " 吧～"
    text = f"{prefix}{disguised}{middle}代購"

    result = await api.op("CheckText", {"text": text}, token=moderator)
    check = result["data"]["checkText"]
    assert check["verdict"] == "BLOCK"
    start = _utf16(prefix)
    review_start = start + _utf16(disguised + middle)
    assert check["matches"] == [
        {"word": "赌博", "level": "BLOCK", "start": start, "end": start + 3},
        {"word": "代购", "level": "REVIEW", "start": review_start, "end": review_start + 2},
    ]
    # What a browser would highlight is the disguised word, emoji and all counted right.
    units = text.encode("utf-16-le")
    assert units[start * 2 : (start + 3) * 2].decode("utf-16-le") == disguised

    straddling = await api.op("CheckText", {"text": "去赌，博物馆"}, token=moderator)
    assert straddling["data"]["checkText"] == {
        "verdict": "REVIEW",
        "matches": [{"word": "赌博", "level": "REVIEW", "start": 1, "end": 4}],
    }
    clean = await api.op("CheckText", {"text": "今天天气不错"}, token=moderator)
    assert clean["data"]["checkText"] == {"verdict": "PASS", "matches": []}
    too_long = await api.op("CheckText", {"text": "字" * 20_001}, token=moderator)
    assert error_codes(too_long) == ["BAD_USER_INPUT"]


async def test_the_moderation_log_filters_by_actor_action_target_and_time(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    other = await make_user(role=Role.OPERATOR)
    token = token_for(runtime, operator)
    await _add(api, token, ["赌博"], "BLOCK")
    await _add(api, token_for(runtime, other), ["代购"], "REVIEW")
    member = await make_user()
    await api.op(
        "SanctionUser",
        {"userId": to_global_id("User", member.id), "kind": "MUTE", "hours": 1, "reason": "刷屏"},
        token=token,
    )
    old = await ModerationAction.create(
        actor=operator, action="BAN", target_type="USER", target_id=member.id
    )
    await ModerationAction.filter(id=old.id).update(
        created_at=datetime.now(UTC) - timedelta(days=30)
    )

    async def log(log_filter: dict | None, **more: object) -> tuple[int, list[str]]:
        result = await api.op("ModerationLogFiltered", {"filter": log_filter, **more}, token=token)
        assert "errors" not in result, result
        found = result["data"]["moderationLog"]
        return found["totalCount"], [e["node"]["action"] for e in found["edges"]]

    assert await log(None) == (4, ["MUTE", "ADD_WORDS", "ADD_WORDS", "BAN"])
    assert await log({"actorId": to_global_id("User", other.id)}) == (1, ["ADD_WORDS"])
    assert await log({"actions": ["MUTE", "BAN"]}) == (2, ["MUTE", "BAN"])
    assert await log({"targetType": "USER"}) == (2, ["MUTE", "BAN"])
    week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat()
    assert await log({"from": week_ago, "targetType": "USER"}) == (1, ["MUTE"])
    assert await log({"to": week_ago}) == (1, ["BAN"])
    assert await log({"actions": []}, first=1) == (4, ["MUTE"])
    [entry] = (
        await api.op("ModerationLogFiltered", {"filter": {"actions": ["MUTE"]}}, token=token)
    )["data"]["moderationLog"]["edges"]
    assert entry["node"]["targetType"] == "USER"
    assert entry["node"]["targetId"] == to_global_id("User", member.id)
    assert entry["node"]["actor"]["id"] == to_global_id("User", operator.id)
    bad = await api.op("ModerationLogFiltered", {"filter": {"actorId": "nope"}}, token=token)
    assert error_codes(bad) == ["BAD_USER_INPUT"]
