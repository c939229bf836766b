"""The sensitive-word list as staff read it: the words with their hits, and a check of what
the filter makes of a text and why. (Adding and removing words: screening.py.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from adapters.redis import Store
from domain import access
from domain.errors import BadInput, Forbidden
from domain.models import SensitiveWord, User, WordLevel
from domain.pagination import Counted, counted_page
from domain.screening import current_filter
from domain.word_hits import pending_hits
from domain.wordfilter import Located

CHECK_TEXT_MAX = 20_000
QUERY_MAX = 64


async def list_words(
    actor: User,
    store: Store,
    *,
    level: WordLevel | None,
    query: str | None,
    first: int | None,
    after: str | None,
    cap: int,
) -> Counted[SensitiveWord]:
    """The newest words first, of a level and containing `query` (case-insensitive) when
    given; moderators read the list, operators change it. Each word's `hit_count` and
    `last_hit_at` include the hits not flushed yet."""
    if not access.can_use_console(actor):
        raise Forbidden()
    words = SensitiveWord.all()
    if level is not None:
        words = words.filter(level=level)
    if query:
        query = query.strip()
        if len(query) > QUERY_MAX:
            raise BadInput("bad_input", field="query")
        words = words.filter(word__icontains=query)
    counted = await counted_page(
        words, first=first, after=after, order=("-created_at", "-id"), cap=cap
    )
    pending = await pending_hits(store, [w.word for w in counted.page.items])
    for word in counted.page.items:  # read, never saved
        more, last = pending.get(word.word, (0, None))
        word.hit_count += more
        word.last_hit_at = max((t for t in (word.last_hit_at, last) if t), default=None)
    return counted


class TextVerdict(StrEnum):
    PASS = "PASS"  # published as it is
    REVIEW = "REVIEW"  # waits for review
    BLOCK = "BLOCK"  # refused


@dataclass
class TextCheck:
    verdict: TextVerdict
    matches: list[Located] = field(default_factory=list)


async def check_text(actor: User, store: Store, text: str) -> TextCheck:
    """What the word filter makes of a text, and why: each listed word found, where it stands
    (UTF-16 offsets of the text as given), at the level it counts there. Not a hit."""
    if not access.can_use_console(actor):
        raise Forbidden()
    if len(text) > CHECK_TEXT_MAX:
        raise BadInput("bad_input", field="text")
    matches = (await current_filter(store)).locate(text)
    levels = {m.level for m in matches}
    if WordLevel.BLOCK in levels:
        return TextCheck(TextVerdict.BLOCK, matches)
    return TextCheck(TextVerdict.REVIEW if levels else TextVerdict.PASS, matches)
