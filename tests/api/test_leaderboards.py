"""Leaderboards are ranked from the ledger by one reader at a time: a stale board is read as
it was while the first reader to find it so ranks it again, and readers finding no board wait
for one ranking (domain/leaderboards.py). The ranking is held back by a lock on the ledger,
so what waits for it shows in PostgreSQL (tests/locks.py)."""

from __future__ import annotations

import asyncio

from domain import leaderboards
from quanzi.bootstrap import Runtime
from tests.background import until
from tests.conftest import Api
from tests.factories import grant_points, make_user
from tests.locks import table_locked, waiting

BOARD = {"period": "ALL", "first": 10}
RANKING = "SELECT user_id, sum(amount) AS earned FROM points_entries"


def _rows(result: dict) -> list[tuple[str, int]]:
    assert "errors" not in result, result
    return [(r["user"]["nickname"], r["points"]) for r in result["data"]["leaderboard"]]


async def test_a_stale_board_is_read_as_it_was_while_one_reader_ranks_it_again(
    api: Api, runtime: Runtime
) -> None:
    first = await make_user(nickname="老会员")
    await grant_points(first, 50, "a")
    assert _rows(await api.op("Leaderboard", BOARD)) == [("老会员", 50)]
    newcomer = await make_user(nickname="新会员")
    await grant_points(newcomer, 80, "b")
    board = runtime.store.key("leaderboard", "ALL", "all")
    await runtime.redis.delete(leaderboards._fresh_key(board))  # FRESH_FOR has passed
    async with table_locked(runtime, "points_entries") as lock:
        readers = [asyncio.create_task(api.op("Leaderboard", BOARD)) for _ in range(8)]

        async def all_but_one_answered() -> bool:
            return sum(r.done() for r in readers) == 7

        await until(all_but_one_answered, "readers waited for the ranking")
        answered = [r.result() for r in readers if r.done()]
        assert all(_rows(a) == [("老会员", 50)] for a in answered)  # the board as it was
        assert await waiting(lock, RANKING) == 1
        [ranking] = [r for r in readers if not r.done()]  # may end as soon as the lock does
    assert _rows(await ranking) == [("新会员", 80), ("老会员", 50)]
    assert _rows(await api.op("Leaderboard", BOARD)) == [("新会员", 80), ("老会员", 50)]


async def test_readers_finding_no_board_wait_for_one_ranking(api: Api, runtime: Runtime) -> None:
    member = await make_user(nickname="唯一")
    await grant_points(member, 30, "a")
    async with table_locked(runtime, "points_entries") as lock:
        readers = [asyncio.create_task(api.op("Leaderboard", BOARD)) for _ in range(8)]

        async def ranking() -> bool:
            return await waiting(lock, RANKING) >= 1

        await until(ranking, "nobody ranked the board")
        await asyncio.sleep(0.2)  # the other readers have arrived: none ranks it again
        assert await waiting(lock, RANKING) == 1
        assert not any(r.done() for r in readers)
    answers = await asyncio.gather(*readers)
    assert all(_rows(a) == [("唯一", 30)] for a in answers)
