"""The sensitive-word list as staff read it, and a check of what the filter makes of a text.
(Adding and removing words: api/moderation.py.)"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.moderation import WordLevel
from api.relay import CountedConnection, counted_connection
from domain import models, word_list

TextVerdict = strawberry.enum(word_list.TextVerdict, name="TextVerdict")


@strawberry.type(description="A listed word.")
class SensitiveWord:
    word: str
    level: WordLevel  # type: ignore[valid-type]
    hit_count: int = strawberry.field(
        description="Members' writes it matched (a staff member's checkText is not a hit)."
    )
    last_hit_at: datetime | None
    created_at: datetime

    @classmethod
    def from_model(cls, word: models.SensitiveWord) -> SensitiveWord:
        return cls(
            word=word.word,
            level=word.level,
            hit_count=word.hit_count,
            last_hit_at=word.last_hit_at,
            created_at=word.created_at,
        )


@strawberry.type(name="SensitiveWordConnection")
class SensitiveWordConnection(CountedConnection[SensitiveWord]):
    pass


@strawberry.type(description="A listed word found in a text, and where.")
class TextMatch:
    word: str = strawberry.field(description="The word as listed.")
    level: WordLevel = strawberry.field(  # type: ignore[valid-type]
        description="The level it counts at there (a BLOCK word straddling two clauses: REVIEW)."
    )
    start: int = strawberry.field(
        description="Offset in UTF-16 code units of the text as given (what JavaScript uses)."
    )
    end: int = strawberry.field(description="Exclusive, in UTF-16 code units.")


@strawberry.type(description="What the word filter makes of a text.")
class TextCheck:
    verdict: TextVerdict  # type: ignore[valid-type]
    matches: list[TextMatch] = strawberry.field(description="In text order.")


@strawberry.type
class WordsQuery:
    @strawberry.field(description="The word list, newest first (moderators read, operators edit).")
    async def sensitive_words(
        self,
        info: Info[Context, None],
        level: WordLevel | None = None,  # type: ignore[valid-type]
        query: Annotated[
            str | None,
            strawberry.argument(description="Words containing this (case-insensitive)."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> SensitiveWordConnection:
        viewer = await info.context.require_viewer()
        counted = await word_list.list_words(
            viewer,
            info.context.runtime.store,
            level=level,
            query=query,
            first=first,
            after=after,
            cap=info.context.page_cap,
        )
        return counted_connection(
            SensitiveWordConnection, counted.page, counted.count, SensitiveWord.from_model
        )

    @strawberry.field(description="What the word filter makes of a text, and why (moderators).")
    async def check_text(self, info: Info[Context, None], text: str) -> TextCheck:
        viewer = await info.context.require_viewer()
        found = await word_list.check_text(viewer, info.context.runtime.store, text)
        return TextCheck(
            verdict=found.verdict,
            matches=[
                TextMatch(word=m.word, level=m.level, start=m.start, end=m.end)
                for m in found.matches
            ],
        )
