"""Keys a process holds while Redis tracks them for it (adapters/tracking.py), against the real
Redis: whatever changes a key, from whichever connection, the value held for it goes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from redis.asyncio import Redis

from adapters import tracking
from adapters.redis import Store
from adapters.tracking import TrackedKeys
from quanzi.bootstrap import Runtime


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never: {what}")


@pytest.fixture
async def other(runtime: Runtime) -> AsyncIterator[Redis]:
    """A connection of another process, as far as Redis can tell."""
    client = Redis.from_url(runtime.settings.redis_url or "", decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def held(runtime: Runtime) -> AsyncIterator[TrackedKeys]:
    """A prefix of this test's own, listened to."""
    store = Store(runtime.redis, runtime.settings.redis_prefix + uuid.uuid4().hex[:8] + ":")
    keys = store.tracked("t", size=3)
    assert keys.get(keys.prefix + "a") is None  # the first read starts the listener
    await _until(lambda: keys.listening, "listening")
    yield keys
    await store.stop_tracking()


def _hold(keys: TrackedKeys, name: str, value: object) -> None:
    keys.put(keys.prefix + name, value, keys.mark())


async def test_a_value_is_held_until_another_connection_changes_its_key(
    held: TrackedKeys, other: Redis
) -> None:
    _hold(held, "a", "1")
    _hold(held, "b", "2")
    assert held.get(held.prefix + "a") == "1"
    await other.set(held.prefix + "a", "changed")
    await _until(lambda: held.get(held.prefix + "a") is None, "a dropped")
    assert held.get(held.prefix + "b") == "2"  # only the key that changed


async def test_a_key_that_expires_or_is_deleted_is_dropped(held: TrackedKeys, other: Redis) -> None:
    await other.set(held.prefix + "a", "1")
    await other.set(held.prefix + "b", "2")
    await asyncio.sleep(0.05)  # those writes heard before holding anything
    _hold(held, "a", "1")
    _hold(held, "b", "2")
    await other.pexpire(held.prefix + "a", 20)
    await other.delete(held.prefix + "b")
    await _until(lambda: held.get(held.prefix + "b") is None, "b dropped")
    await _until(lambda: held.get(held.prefix + "a") is None, "a dropped when it expired")


async def test_a_value_read_before_a_change_was_heard_is_not_held(
    held: TrackedKeys, other: Redis
) -> None:
    mark = held.mark()  # a read of "a" starts
    epoch = held.mark()
    await other.set(held.prefix + "a", "new")  # and "a" changes before it is held
    await _until(lambda: held.mark() != epoch, "the change heard")
    held.put(held.prefix + "a", "old", mark)
    assert held.get(held.prefix + "a") is None


async def test_a_change_of_one_key_refuses_no_read_of_another(
    held: TrackedKeys, other: Redis
) -> None:
    mark = held.mark()  # reads of "a" and "b" start
    epoch = held.mark()
    await other.set(held.prefix + "b", "new")
    await _until(lambda: held.mark() != epoch, "the change heard")
    held.put(held.prefix + "a", "1", mark)
    held.put(held.prefix + "b", "old", mark)
    assert held.get(held.prefix + "a") == "1" and held.get(held.prefix + "b") is None


async def test_keys_outside_the_prefix_are_not_heard(held: TrackedKeys, other: Redis) -> None:
    _hold(held, "a", "1")
    epoch = held.mark()
    await other.set(held.prefix[:-1] + "x:a", "elsewhere")
    await other.set(held.prefix + "a", "here")
    await _until(lambda: held.mark() != epoch, "the change heard")
    assert held.mark() == epoch + 1  # one change: the other key was not announced


async def test_this_process_drops_what_it_changed_itself_at_once(held: TrackedKeys) -> None:
    _hold(held, "a", "1")
    held.changed([held.prefix + "a"])
    assert held.get(held.prefix + "a") is None


async def test_the_least_recently_read_goes_first_past_the_size(held: TrackedKeys) -> None:
    for name in "abc":
        _hold(held, name, name)
    assert held.get(held.prefix + "a") == "a"  # read: now the most recent
    _hold(held, "d", "d")
    assert held.get(held.prefix + "b") is None
    assert [held.get(held.prefix + n) for n in "acd"] == ["a", "c", "d"]


async def test_nothing_is_held_longer_than_its_max_age(
    held: TrackedKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hold(held, "a", "1")
    monkeypatch.setattr(tracking, "MAX_AGE", 0.0)
    await asyncio.sleep(0.01)
    assert held.get(held.prefix + "a") is None


async def test_nothing_is_held_before_the_listener_subscribed(runtime: Runtime) -> None:
    store = Store(runtime.redis, runtime.settings.redis_prefix + "fresh:")
    keys = store.tracked("t", size=3)
    try:
        _hold(keys, "a", "1")
        assert not keys.listening and keys.get(keys.prefix + "a") is None
    finally:
        await store.stop_tracking()


async def test_each_event_loop_holds_what_its_own_listener_hears(runtime: Runtime) -> None:
    store = Store(runtime.redis, runtime.settings.redis_prefix + "loops:")
    keys = store.tracked("t", size=3)
    try:
        keys.get(keys.prefix + "a")
        await _until(lambda: keys.listening, "listening")
        _hold(keys, "a", "1")

        async def read_elsewhere() -> tuple[bool, object]:
            theirs = store.tracked("t", size=3)
            return theirs is keys, theirs.get(keys.prefix + "a")

        same, value = await asyncio.to_thread(asyncio.run, read_elsewhere())
        assert not same and value is None  # another loop has no listener of its own yet
        assert keys.get(keys.prefix + "a") == "1"
    finally:
        await store.stop_tracking()


async def test_after_its_connection_is_killed_it_drops_everything_and_listens_again(
    held: TrackedKeys, other: Redis
) -> None:
    _hold(held, "a", "1")
    (listener,) = [c for c in await other.client_list() if c["name"] == held.client_name]
    assert await other.client_kill_filter(_id=listener["id"]) == 1
    await _until(lambda: held.get(held.prefix + "a") is None, "dropped")
    await _until(lambda: held.listening, "listening again")
    _hold(held, "a", "2")
    await other.set(held.prefix + "a", "changed")  # and it hears changes again
    await _until(lambda: held.get(held.prefix + "a") is None, "dropped again")


async def test_a_listener_whose_connection_went_silent_gives_it_up(
    runtime: Runtime, other: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A half-open connection (a partition, a failover): nothing arrives and nothing closes."""
    monkeypatch.setattr(tracking, "PING_EVERY", 0.2)
    silent = asyncio.Event()
    redis_url = urlsplit(runtime.settings.redis_url or "")

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if redis_url.scheme == "unix":
            theirs = await asyncio.open_unix_connection(redis_url.path)
        else:
            theirs = await asyncio.open_connection(redis_url.hostname, redis_url.port or 6379)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while (data := await source.read(65536)) and not silent.is_set():
                sink.write(data)
                await sink.drain()
            await asyncio.Event().wait()  # silent: neither passes nor closes anything

        try:
            await asyncio.gather(pipe(reader, theirs[1]), pipe(theirs[0], writer))
        finally:
            theirs[1].close()
            writer.close()

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    db = parse_qs(redis_url.query).get("db", [redis_url.path.strip("/") or "0"])[0]
    client = Redis(host="127.0.0.1", port=port, db=int(db) if db.isdigit() else 0)
    store = Store(client, runtime.settings.redis_prefix + uuid.uuid4().hex[:8] + ":")
    keys = store.tracked("t", size=3)
    try:
        keys.get(keys.prefix + "a")
        await _until(lambda: keys.listening, "listening")
        _hold(keys, "a", "old")
        silent.set()
        await other.set(keys.prefix + "a", "new")  # never heard
        await _until(lambda: not keys.listening, "the silent connection given up")
        assert keys.get(keys.prefix + "a") is None
    finally:
        await store.stop_tracking()
        server.close()
        await client.aclose()


async def test_a_redis_that_refuses_tracking_is_read_through(
    runtime: Runtime, refusing_redis: Redis
) -> None:
    store = Store(refusing_redis, runtime.settings.redis_prefix + "refused:")
    try:
        keys = store.tracked("t", size=3)
        assert keys.get(keys.prefix + "a") is None
        await _until(lambda: keys._task is not None and keys._task.done(), "given up")
        _hold(keys, "a", "1")
        assert not keys.listening and keys.get(keys.prefix + "a") is None
        assert keys._task is not None and keys._task.exception() is None
        keys.get(keys.prefix + "a")
        assert keys._task.done()  # not asked again, request after request
    finally:
        await store.stop_tracking()
