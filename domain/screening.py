"""Every text a member writes is screened before it is stored: the sensitive-word filter, then
(when WeChat is configured) WeChat's content-security check. BLOCK or risky refuses the write;
REVIEW or review lets it through as PENDING_REVIEW with a review task."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Final

from redis.exceptions import RedisError
from tortoise.transactions import in_transaction

from adapters import sql
from adapters.redis import Store
from domain import modlog
from domain.errors import BadInput, ContentRejected
from domain.models import ReviewSource, SensitiveWord, User, WordLevel
from domain.ports import ContentChecker, Scene, Suggestion
from domain.word_hits import WORD_ORDER, record_hits
from domain.wordfilter import WordFilter, skeleton

log = logging.getLogger("quanzi.screening")

WORD_MAX = 64
WORDS_PER_CALL_MAX = 1000


@dataclass(frozen=True)
class Screener:
    """What screening needs: the word list's Redis version key and, when one is configured, a
    second opinion after the word filter (WeChat's content-security check)."""

    store: Store
    checker: ContentChecker | None = None


@dataclass
class Verdict:
    review_reasons: list[str] = field(default_factory=list)
    # What asked for the review: the word filter, or (when no word did) WeChat's check.
    source: ReviewSource = ReviewSource.WORD

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)


_filters: dict[str, WordFilter] = {}
_rebuild_lock = asyncio.Lock()


def _version_key(store: Store) -> str:
    return store.key("sensitive_words", "version")


async def _new_version(store: Store) -> None:
    # A fresh random version (not a counter): a Redis that lost its data and counted again
    # could otherwise hand out a version some process already built an older list under.
    await store.redis.set(_version_key(store), uuid.uuid4().hex)


async def current_filter(store: Store) -> WordFilter:
    """This process's automaton, rebuilt when another process changed the list."""
    cached = _filters.get(store.prefix)
    try:
        version = await store.redis.get(_version_key(store))
    except (RedisError, OSError) as exc:
        # Without Redis the list's version is unknown: keep screening with what this
        # process has, or read the list from PostgreSQL once.
        log.warning("word list version unknown, Redis failed: %s", exc)
        if cached is not None:
            return cached
        version = None
    if cached is not None and cached.version == version:
        return cached
    async with _rebuild_lock:
        cached = _filters.get(store.prefix)
        if cached is not None and cached.version == version:
            return cached
        words = await SensitiveWord.all().values_list("word", "level")
        built = await asyncio.to_thread(WordFilter.build, words, version)  # type: ignore[arg-type]
        _filters[store.prefix] = built
        return built


async def screen(
    screener: Screener, author: User, texts: list[tuple[str, str]], scene: Scene
) -> Verdict:
    """Screen the (field, text) pairs of one write; raise CONTENT_REJECTED naming the field."""
    word_filter = await current_filter(screener.store)
    verdict = Verdict()
    for field_name, text in texts:
        matches = word_filter.scan(text)
        if matches:
            await record_hits(screener.store, [m.word for m in matches])
        for match in matches:
            if match.level == WordLevel.BLOCK:
                raise ContentRejected(field=field_name)
            verdict.review_reasons.append(f"敏感词：{match.word}")
    if verdict.needs_review or screener.checker is None:
        return verdict
    content = "\n".join(text for _, text in texts if text)
    suggest = await screener.checker.check_text(openid=author.openid, content=content, scene=scene)
    if suggest == Suggestion.RISKY:
        raise ContentRejected(field=texts[0][0])
    if suggest == Suggestion.REVIEW:
        verdict.review_reasons.append("微信内容安全：建议人工审核")
        verdict.source = ReviewSource.WECHAT
    return verdict


def _clean_words(words: list[str]) -> list[str]:
    if not 1 <= len(words) <= WORDS_PER_CALL_MAX:
        raise BadInput(field="words")
    cleaned = []
    for word in words:
        word = word.strip()
        if not 1 <= len(word) <= WORD_MAX or not skeleton(word):
            raise BadInput(field="words")
        cleaned.append(word)
    return list(dict.fromkeys(cleaned))


async def add_words(actor: User, store: Store, words: list[str], level: WordLevel) -> int:
    """Add (or re-level) words; every API process rebuilds its automaton on its next check."""
    cleaned = _clean_words(words)
    await sql.fetch(
        "INSERT INTO sensitive_words (word, level, created_at) "
        "SELECT unnest($1::text[]), $2, now() "
        "ON CONFLICT (word) DO UPDATE SET level = EXCLUDED.level RETURNING id",
        sorted(cleaned),  # the words' rows taken in one order (word_hits.WORD_ORDER)
        level.value,
    )
    await _new_version(store)
    await modlog.record(
        actor, "ADD_WORDS", "WORDS", None, f"{level.value}: {', '.join(cleaned)}"[:500]
    )
    return len(cleaned)


async def remove_words(actor: User, store: Store, words: list[str]) -> int:
    cleaned = _clean_words(words)
    async with in_transaction() as conn:
        await sql.fetch(
            f"SELECT 1 FROM sensitive_words WHERE word = ANY($1::text[]) {WORD_ORDER} FOR UPDATE",
            cleaned,
            conn=conn,
        )
        removed = await sql.execute(
            "DELETE FROM sensitive_words WHERE word = ANY($1::text[])", cleaned, conn=conn
        )
    await _new_version(store)
    await modlog.record(actor, "REMOVE_WORDS", "WORDS", None, ", ".join(cleaned)[:500])
    return removed


@dataclass(frozen=True)
class NoScreening:
    """Writes that skip the word filter and WeChat's check: demo data and imports of
    content screened elsewhere. Never for a member's request."""

    reason: str


NO_SCREENING: Final = NoScreening("seed and bulk import: content not written by members here")

Screening = Screener | NoScreening


async def screen_texts(
    screening: Screening, author: User, texts: list[tuple[str, str]], scene: Scene
) -> Verdict:
    """One write's screening step (step three of the publishing pipeline): BLOCK words or a
    risky verdict refuse the write (CONTENT_REJECTED); words that need a look send it to
    review. `NO_SCREENING` passes everything, visibly."""
    if isinstance(screening, NoScreening):
        return Verdict()
    return await screen(screening, author, texts, scene)
