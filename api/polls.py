"""Polls: the options and results of a POLL post, and voting."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Node
from domain import models, polls
from domain.errors import BadInput


@strawberry.type(
    description="One option of a poll; node(id:) answers it where its post can be seen."
)
class PollOption(Node):
    id: strawberry.ID
    text: str
    vote_count: int
    percent: float = strawberry.field(description="Share of voters who chose it, 0–100.")

    @classmethod
    def from_model(cls, option: models.PollOption, total_voters: int) -> PollOption:
        return cls(
            id=strawberry.ID(to_global_id("PollOption", option.id)),
            text=option.text,
            vote_count=option.vote_count,
            percent=round(100 * option.vote_count / total_voters, 1) if total_voters else 0.0,
        )


@strawberry.type(
    description="The poll of a POLL post; node(id:) answers it where its post can be seen."
)
class Poll(Node):
    id: strawberry.ID
    multiple_choice: bool
    closes_at: datetime | None
    closed: bool
    total_voters: int
    pk: strawberry.Private[int]

    @strawberry.field
    async def options(self, info: Info[Context, None]) -> list[PollOption]:
        options = await info.context.loaders.options_of_poll.load(self.pk)
        return [PollOption.from_model(o, self.total_voters) for o in options]

    @strawberry.field(description="What the viewer chose; empty before voting.")
    async def viewer_voted_option_ids(self, info: Info[Context, None]) -> list[strawberry.ID]:
        viewer = await info.context.viewer()
        if viewer is None:
            return []
        chosen = await info.context.loaders.poll_choice(viewer.id).load(self.pk)
        return [strawberry.ID(to_global_id("PollOption", i)) for i in chosen or []]

    @classmethod
    def from_model(cls, poll: models.Poll) -> Poll:
        return cls(
            id=strawberry.ID(to_global_id("Poll", poll.id)),
            multiple_choice=poll.multiple_choice,
            closes_at=poll.closes_at,
            closed=polls.is_closed(poll),
            total_voters=poll.total_voters,
            pk=poll.id,
        )


@strawberry.input(description="The poll of a POLL post.")
class PollInput:
    options: list[str] = strawberry.field(description="2–10 distinct options, 1–50 characters.")
    multiple_choice: bool = False
    closes_at: datetime | None = strawberry.field(default=None, description="In the future.")


@strawberry.type
class PollPayload:
    poll: Poll


@strawberry.type
class PollsMutation:
    @strawberry.mutation(description="Vote once; the options are PollOption IDs.")
    async def vote_poll(
        self, info: Info[Context, None], post_id: strawberry.ID, option_ids: list[strawberry.ID]
    ) -> PollPayload:
        viewer = await info.context.require_viewer()
        if len(option_ids) > polls.OPTIONS_MAX:
            raise BadInput("poll_choice", field="optionIds")
        poll = await polls.vote_poll(
            viewer,
            pk_of(post_id, "Post", field="postId"),
            [pk_of(o, "PollOption", field="optionIds") for o in option_ids],
        )
        return PollPayload(poll=Poll.from_model(poll))
