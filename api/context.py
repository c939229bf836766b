"""The per-request context: who is asking, in which language, and the request's loaders."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response
from strawberry.dataloader import DataLoader

from api.loaders import Loaders
from api.strawberry_internals import now_or_later
from domain import analytics, auth
from domain.access import has_role
from domain.errors import Forbidden, QuanziError, Unauthenticated
from domain.models import Role, User
from quanzi.bootstrap import Runtime

_UNSET = object()


def pick_locale(accept_language: str | None) -> str:
    """English when the client's first preference is English; Chinese otherwise."""
    if not accept_language:
        return "zh"
    first = accept_language.split(",")[0].split(";")[0].strip().lower()
    return "en" if first.startswith("en") else "zh"


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""  # present but unusable: authenticating fails with token_invalid
    return token.strip()


@dataclass
class Context:
    request: HTTPConnection
    response: Response | None
    runtime: Runtime
    locale: str = "zh"
    request_id: str = ""
    bearer: str | None = None
    loaders: Loaders = field(default_factory=Loaders)
    # Set by the WebSocket protocol from `connection_init`'s payload.
    connection_params: dict[str, object] | None = None
    # On a WebSocket: the socket's token and member checked again now (api/sockets.py);
    # closes the socket and raises when they no longer hold.
    recheck: Callable[[], Awaitable[User]] | None = None
    # Set when a compiled plan runs the operation, which completes stand-ins for kept cards
    # (api.compiled.memo.StandIn; api.post_pages.post_connection hands them out).
    stand_ins: bool = False
    # A kept answer's page read before the operation executed, and how many kept pages of
    # cards it completed with the viewer's values put in (api/kept_answers.py).
    read_ahead: Any = None
    whole_pages: int = 0
    _viewer: object = field(default=_UNSET, repr=False)
    _sign_in: auth.SignInCheck | None = field(default=None, repr=False)

    @property
    def page_cap(self) -> int:
        """The most items one page of any list or connection may hold (`first`'s cap)."""
        return self.runtime.settings.page_max

    async def authenticate(self, *, confirm_later: bool = False) -> None:
        """Resolve the bearer token once, up front: every field then reads the same answer
        without waiting, so per-viewer DataLoaders batch a whole page together.

        With `confirm_later`, a token whose sign-in this process has checked before is only
        verified now (domain.auth.SignInCheck): a page the request reads ahead may confirm
        it with its own statement (confirm_sign_in), and until one does, or this is called
        again, the request is not signed in at all (known_viewer is None, `viewer` checks)."""
        if self._viewer is not _UNSET:
            return
        if self.bearer is None:
            self._viewer = None
            return
        check, self._sign_in = self._sign_in, None
        try:
            claims = check.claims if check is not None else None
            if claims is None and confirm_later:
                found = auth.sign_in_to_confirm(self.runtime.tokens, self.bearer)
                if isinstance(found, auth.SignInCheck):
                    self._sign_in = found
                    return
                claims = found
            self._viewer = await auth.authenticate(self.runtime.tokens, self.bearer, claims=claims)
        except QuanziError as exc:
            self._viewer = exc
        else:
            await self._mark_active()

    def sign_in_to_confirm(self) -> auth.SignInCheck | None:
        """The sign-in left to confirm (authenticate's `confirm_later`), if one is."""
        return self._sign_in

    async def confirm_sign_in(self) -> None:
        """After a statement that carried the sign-in left to confirm (domain.auth.read_confirming):
        the member as checked before where it confirmed them, else the sign-in checked now."""
        check = self._sign_in
        if check is None or not check.confirmed:
            await self.authenticate()
            return
        self._sign_in = None
        member = check.member()
        try:
            auth.check_not_banned(member)  # a ban that ran out since counts as none
        except QuanziError as exc:
            self._viewer = exc
            return
        self._viewer = member
        await self._mark_active()

    async def _mark_active(self) -> None:
        viewer = self._viewer
        if isinstance(viewer, User):
            await analytics.mark_active(self.runtime.store, self.runtime.rules.calendar, viewer.id)

    def reset_viewer(self) -> None:
        self._viewer = _UNSET
        self._sign_in = None

    def bearer_refusal(self) -> QuanziError | None:
        """Why the request's bearer token was refused (authenticate() has run), or None."""
        viewer = self._viewer
        return viewer if isinstance(viewer, QuanziError) else None

    def read_anonymously(self) -> None:
        """Go on as nobody, whatever the bearer said (an operation that only signs in)."""
        self.bearer = None
        self._viewer = None

    def for_operation(self, viewer: User) -> Context:
        """One operation of a socket: the viewer as just checked, loaders of its own."""
        return dataclasses.replace(self, loaders=Loaders(), _viewer=viewer, _sign_in=None)

    async def recheck_viewer(self) -> None:
        """On a WebSocket, the viewer as of now (a live subscription, between deliveries)."""
        if self.recheck is not None:
            self._viewer = await self.recheck()

    async def viewer(self) -> User | None:
        """The signed-in member, None when anonymous; a bad token raises UNAUTHENTICATED."""
        if self._viewer is _UNSET:
            await self.authenticate()
        if isinstance(self._viewer, QuanziError):
            raise self._viewer
        return self._viewer  # type: ignore[return-value]

    def viewer_relation(
        self, loader: Callable[[Loaders, int], DataLoader[int, bool]], pk: int
    ) -> bool | Awaitable[bool]:
        """Whether the viewer has liked / follows... object `pk`; False when anonymous.
        Answers at once when the viewer is known and the relation already loaded."""
        if self._viewer is _UNSET:
            return self._viewer_relation_later(loader, pk)
        if isinstance(self._viewer, QuanziError):
            raise self._viewer
        if self._viewer is None:
            return False
        return now_or_later(loader(self.loaders, self._viewer.id), pk, bool)  # type: ignore[attr-defined]

    async def _viewer_relation_later(
        self, loader: Callable[[Loaders, int], DataLoader[int, bool]], pk: int
    ) -> bool:
        viewer = await self.viewer()
        if viewer is None:
            return False
        return await loader(self.loaders, viewer.id).load(pk)

    def known_viewer(self) -> User | None:
        """The viewer when already authenticated (as every HTTP request is up front), else
        None; never raises and never waits."""
        viewer = self._viewer
        return viewer if isinstance(viewer, User) else None

    async def require_viewer(self) -> User:
        user = await self.viewer()
        if user is None:
            raise Unauthenticated()
        return user

    async def require_role(self, role: Role) -> User:
        user = await self.require_viewer()
        if not has_role(user, role):
            raise Forbidden()
        return user

    async def require(self, rule: Callable[[User], bool]) -> User:
        """The signed-in member when the access rule (domain/access.py) allows them;
        UNAUTHENTICATED when anonymous, FORBIDDEN otherwise."""
        user = await self.require_viewer()
        if not rule(user):
            raise Forbidden()
        return user
