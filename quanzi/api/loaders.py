"""Per-request DataLoaders: one query per kind of object per request, never one per item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from quanzi.domain.models import User


async def _load_users(ids: Sequence[int]) -> list[User | None]:
    found = {u.id: u for u in await User.filter(id__in=list(ids))}
    return [found.get(i) for i in ids]


@dataclass
class Loaders:
    user: DataLoader[int, User | None] = field(
        default_factory=lambda: DataLoader(load_fn=_load_users)
    )
