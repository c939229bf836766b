"""What every console page stands on: the signed-in staff member's session, their role, the
CSRF check on writes, rendering in their language, and running the console's operations as
them."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from strawberry import Schema

from api.context import pick_locale
from api.ids import to_global_id
from console.cookies import ConsoleCookies
from console.gql import Outcome, execute
from console.texts import text
from domain import access, console_sessions
from domain.console_sessions import ConsoleSession
from domain.models import Role, User
from quanzi.bootstrap import Runtime

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "_csrf"

# The nav, in order: (key, path, least role).
NAV: tuple[tuple[str, str, Role], ...] = (
    ("nav.home", "/console/", Role.MODERATOR),
    ("nav.review", "/console/review", Role.MODERATOR),
    ("nav.sanctions", "/console/sanctions", Role.MODERATOR),
    ("nav.words", "/console/words", Role.MODERATOR),
    ("nav.dashboard", "/console/dashboard", Role.OPERATOR),
    ("nav.growth", "/console/growth", Role.OPERATOR),
    ("nav.calendar", "/console/calendar", Role.OPERATOR),
    ("nav.curation", "/console/curation", Role.OPERATOR),
    ("nav.events", "/console/events", Role.OPERATOR),
    ("nav.feedback", "/console/feedback", Role.OPERATOR),
    ("nav.alerts", "/console/alerts", Role.OPERATOR),
    ("nav.system", "/console/system", Role.OPERATOR),
    ("nav.log", "/console/log", Role.OPERATOR),
    ("nav.roles", "/console/roles", Role.ADMIN),
    ("nav.mall", "/console/mall", Role.OPERATOR),
    ("nav.surveys", "/console/surveys", Role.OPERATOR),
)


@dataclass
class Console:
    """The console as mounted in one app: the app's schema, its settings, its templates."""

    schema: Schema
    env: jinja2.Environment
    cookies: ConsoleCookies
    idle: timedelta
    login_page: str
    page_max: int
    undo_seconds: float = 5

    def runtime(self, request: Request) -> Runtime:
        runtime: Runtime = request.app.state.runtime
        return runtime

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        locale = pick_locale(request.headers.get("accept-language"))
        html = self.env.get_template(template).render(
            t=partial(text, locale=locale),
            locale=locale,
            path=request.url.path,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def refuse(self, request: Request, reason: str, *, signed_in: Desk | None = None) -> Response:
        """A Chinese (or English) 403 page, or its body alone for an htmx request."""
        return self.render(
            request,
            "forbidden.html",
            status=403,
            reason=reason,
            **(signed_in.frame() if signed_in else {"user": None, "nav": [], "csrf": ""}),
        )

    def page(
        self, handler: Callable[[Desk], Awaitable[Response]], role: Role = Role.MODERATOR
    ) -> Callable[[Request], Awaitable[Response]]:
        """A page for staff of at least `role`: anonymous → the sign-in page, a member or a
        lesser role → 403, a write without the session's CSRF token → 403."""

        async def endpoint(request: Request) -> Response:
            runtime = self.runtime(request)
            session_id = self.cookies.session_id(request)
            session = (
                await console_sessions.resume_session(runtime.store, session_id, self.idle)
                if session_id
                else None
            )
            if session is None:
                return self._to_login(request, timed_out=session_id is not None)
            if not access.can_use_console(session.user):
                await console_sessions.end_session(runtime.store, session.session_id)
                response = self.refuse(request, "forbidden.member")
                self.cookies.clear_session(response)
                return response
            desk = Desk(self, request, session)
            if not access.has_role(session.user, role):
                return self.refuse(request, "forbidden.role", signed_in=desk)
            if request.method == "POST" and not await desk.csrf_holds():
                return self.refuse(request, "forbidden.csrf", signed_in=desk)
            return await handler(desk)

        return endpoint

    def _to_login(self, request: Request, *, timed_out: bool) -> Response:
        target = "/console/login" + ("?expired=1" if timed_out else "")
        if request.headers.get("hx-request"):
            # htmx follows this header with a full page load instead of swapping a fragment.
            return Response(status_code=401, headers={"HX-Redirect": target})
        if request.method == "GET" and not timed_out and request.url.path != "/console/":
            target += "?next=" + quote(request.url.path)
        return RedirectResponse(target, status_code=303)


@dataclass
class Desk:
    """One request of a signed-in staff member."""

    console: Console
    request: Request
    session: ConsoleSession

    @property
    def user(self) -> User:
        return self.session.user

    @property
    def viewer_id(self) -> str:
        """The signed-in staff member's global ID, as the API's answers name members."""
        return to_global_id("User", self.user.id)

    @property
    def locale(self) -> str:
        return pick_locale(self.request.headers.get("accept-language"))

    @property
    def is_htmx(self) -> bool:
        return bool(self.request.headers.get("hx-request"))

    def t(self, key: str, **params: Any) -> str:
        return text(key, self.locale, **params)

    def allows(self, role: Role) -> bool:
        return access.has_role(self.user, role)

    async def csrf_holds(self) -> bool:
        sent = self.request.headers.get(CSRF_HEADER, "")
        if not sent:
            content_type = self.request.headers.get("content-type", "")
            if content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
                sent = str((await self.request.form()).get(CSRF_FIELD) or "")
        return bool(sent) and hmac.compare_digest(sent, self.session.csrf_token)

    async def run(self, name: str, **variables: Any) -> Outcome:
        """One of the console's operations, as this staff member."""
        return await execute(
            self.console.schema, self.request, self.user, self.locale, name, variables
        )

    def frame(self) -> dict[str, Any]:
        """What the page frame (nav, header, CSRF meta tag) needs."""
        user = self.user
        return {
            "user": {
                "id": self.viewer_id,
                "nickname": user.nickname,
                "role": Role(user.role).value,
            },
            "nav": [(key, path) for key, path, role in NAV if self.allows(role)],
            "csrf": self.session.csrf_token,
            "can_operate": self.allows(Role.OPERATOR),
            "is_admin": self.allows(Role.ADMIN),
            "now": datetime.now(UTC),
        }

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return self.console.render(
            self.request, template, status=status, **{**self.frame(), **context}
        )
