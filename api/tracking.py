"""Client events: impressions, views, dwell time and opened shares, sent in batches."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of
from domain import models, tracking
from domain.errors import BadInput

ClientEventKind = strawberry.enum(
    models.ClientEventKind,
    name="ClientEventKind",
    description="IMPRESSION: a card was shown; VIEW: a post was opened; DWELL: time spent "
    "on a post (durationMs); SHARE_OPEN: a shared link was opened (shareToken).",
)


@strawberry.input
class ClientEventInput:
    kind: ClientEventKind  # type: ignore[valid-type]
    post_id: strawberry.ID | None = None
    share_token: str | None = None
    duration_ms: int | None = None
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened on the device; now when left out."
    )


@strawberry.type
class TrackEventsPayload:
    accepted: int


@strawberry.type
class TrackingMutation:
    @strawberry.mutation(description="The client's batched events (at most 100 a call).")
    async def track_events(
        self, info: Info[Context, None], events: list[ClientEventInput]
    ) -> TrackEventsPayload:
        viewer = await info.context.viewer()
        if len(events) > tracking.EVENTS_PER_CALL_MAX:
            raise BadInput("too_many_events", field="events", max=tracking.EVENTS_PER_CALL_MAX)
        batch = [
            tracking.ClientEventIn(
                kind=e.kind,
                post_id=pk_of(e.post_id, "Post", field=f"events.{i}.postId") if e.post_id else None,
                share_token=e.share_token,
                duration_ms=e.duration_ms,
                occurred_at=e.occurred_at,
            )
            for i, e in enumerate(events)
        ]
        return TrackEventsPayload(accepted=await tracking.track_events(viewer, batch))
