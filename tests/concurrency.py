"""Members at work at once: each takes weighted random actions, one after another, as
requests would (notifications delivered after each); what fails other than with a reason
its author is told (a QuanziError: not found, conflict...) is the finding."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from tortoise.models import Model

from domain import notifications
from domain.errors import QuanziError
from domain.models import User
from quanzi.bootstrap import Runtime

M = TypeVar("M", bound=Model)
Action = Callable[[User], Awaitable[None]]


async def pick(rng: random.Random, model: type[M], **where: object) -> M | None:
    """One of the rows matching `where`, at random; None when there is none."""
    found = await model.filter(**where).all()
    return rng.choice(found) if found else None


async def members_at_work(
    runtime: Runtime,
    rng: random.Random,
    actions: Sequence[tuple[Action, int]],
    members: Sequence[User],
    *,
    workers: int,
    steps: int,
) -> list[str]:
    """`workers` members (taken in turn from `members`) each take `steps` actions chosen by
    weight; returns every failure that is not a QuanziError, as `action: error`."""
    failures: list[str] = []
    chosen, weights = [a for a, _ in actions], [w for _, w in actions]

    async def at_work(user: User) -> None:
        for _ in range(steps):
            [action] = rng.choices(chosen, weights=weights)
            try:
                with notifications.collecting() as sent:
                    await action(user)
                await notifications.deliver(runtime.store, sent)  # as after a request
            except QuanziError:
                pass
            except Exception as error:  # every other failure is the finding
                failures.append(f"{action.__name__}: {error!r}")

    await asyncio.gather(*(at_work(members[i % len(members)]) for i in range(workers)))
    return failures
