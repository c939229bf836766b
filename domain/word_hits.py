"""How often each sensitive word matched a member's write, and when last.

Counted in Redis as screening matches (one pipelined round trip for a text that matched
anything; texts matching nothing cost nothing), and flushed into `sensitive_words.hit_count`
and `last_hit_at` by a job every minute, so a spam wave hitting one word never queues writers
on that word's row. Reads add what is not flushed yet, so the figures are current. A staff
member's check of a text (checkText) is not a hit."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from redis.exceptions import RedisError
from tortoise.transactions import in_transaction

from adapters import sql
from adapters.redis import Store

log = logging.getLogger("quanzi.screening")

_FLUSH_LOCK_SECONDS = 60

# The one order the words' rows are locked in by whoever writes several: by code point
# (the "C" collation: UTF-8's byte order), which is also Python's `sorted` order.
WORD_ORDER = 'ORDER BY word COLLATE "C"'


def _hits_key(store: Store) -> str:
    return store.key("sensitive_words", "hits")


def _last_key(store: Store) -> str:
    return store.key("sensitive_words", "last_hit")


async def record_hits(store: Store, words: Iterable[str]) -> None:
    """Count one hit for each word (a lost count is better than a failed write)."""
    words = list(dict.fromkeys(words))
    if not words:
        return
    now = str(datetime.now(UTC).timestamp())
    try:
        async with store.redis.pipeline(transaction=False) as pipe:
            for word in words:
                pipe.hincrby(_hits_key(store), word, 1)
            pipe.hset(_last_key(store), mapping=dict.fromkeys(words, now))
            await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("word hits not counted, Redis failed: %s", exc)


async def pending_hits(
    store: Store, words: Collection[str]
) -> dict[str, tuple[int, datetime | None]]:
    """The hits of `words` not flushed yet, and the last hit Redis knows of."""
    if not words:
        return {}
    ordered = list(words)
    async with store.redis.pipeline(transaction=False) as pipe:
        pipe.hmget(_hits_key(store), ordered)
        pipe.hmget(_last_key(store), ordered)
        counts, lasts = await pipe.execute()
    return {
        word: (
            int(count or 0),
            datetime.fromtimestamp(float(last), UTC) if last else None,
        )
        for word, count, last in zip(ordered, counts, lasts, strict=True)
    }


async def flush_hits(store: Store) -> int:
    """Move the counted hits into the word list; return how many words had new hits. One
    flusher at a time; the counts taken are subtracted in Redis after the database has them."""
    lock = store.key("sensitive_words", "hits_flush")
    if not await store.redis.set(lock, "1", nx=True, ex=_FLUSH_LOCK_SECONDS):
        return 0
    try:
        counts = {w: int(n) for w, n in (await store.redis.hgetall(_hits_key(store))).items()}
        counts = {w: n for w, n in counts.items() if n > 0}
        if not counts:
            return 0
        words = sorted(counts)
        lasts = await store.redis.hmget(_last_key(store), words)
        async with in_transaction() as conn:
            # Locked in the one order of the words' rows (an operator adding words takes
            # them in it too), then moved.
            await sql.fetch(
                f"SELECT 1 FROM sensitive_words WHERE word = ANY($1::text[]) {WORD_ORDER} "
                "FOR NO KEY UPDATE",
                words,
                conn=conn,
            )
            await sql.execute(
                "UPDATE sensitive_words s SET hit_count = s.hit_count + d.n, "
                "last_hit_at = GREATEST(s.last_hit_at, d.at) "
                "FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS d(word, n, at) "
                "WHERE s.word = d.word",
                words,
                [counts[w] for w in words],
                [datetime.fromtimestamp(float(at), UTC) if at else None for at in lasts],
                conn=conn,
            )
        async with store.redis.pipeline(transaction=True) as pipe:
            for word in words:
                pipe.hincrby(_hits_key(store), word, -counts[word])
            await pipe.execute()
        return len(words)
    finally:
        await store.redis.delete(lock)
