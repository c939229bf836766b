"""Signing in and out: the QR code the mini-program approves, the one-time link
`quanzi console-link` prints, and signing out."""

from __future__ import annotations

import segno
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.context import pick_locale
from console.desk import Console, Desk
from domain import console_login, console_sessions
from domain.errors import Forbidden, NotFound
from domain.models import User
from domain.texts import render


def _next_page(request: Request) -> str:
    """Where to go once signed in: a console page the sign-in page was sent from, else home."""
    target = request.query_params.get("next", "")
    if target.startswith("/console/") and "//" not in target and "\\" not in target:
        return target
    return "/console/"


class Login:
    def __init__(self, console: Console) -> None:
        self.console = console

    async def _signed_in(self, request: Request) -> bool:
        session_id = self.console.cookies.session_id(request)
        if not session_id:
            return False
        store = self.console.runtime(request).store
        found = await console_sessions.resume_session(store, session_id, self.console.idle)
        return found is not None

    async def _new_code(self, request: Request) -> tuple[str, str]:
        """A fresh nonce for this browser and its QR code as an SVG data URI."""
        client = request.client
        found = await console_login.request_login(
            self.console.runtime(request).store,
            client.host if client is not None else "unknown",
            request.headers.get("user-agent", ""),
        )
        payload = f"{self.console.login_page}?scene={found.nonce}"
        qr = segno.make(payload, error="m", micro=False)
        return found.nonce, qr.svg_data_uri(scale=6, border=2)

    async def page(self, request: Request) -> Response:
        if await self._signed_in(request):
            return RedirectResponse(_next_page(request), status_code=303)
        nonce, qr = await self._new_code(request)
        response = self.console.render(
            request,
            "login.html",
            qr=qr,
            nonce=nonce,
            expired=bool(request.query_params.get("expired")),
            poll_url="/console/login/poll?next=" + _next_page(request),
            user=None,
            nav=[],
            csrf="",
        )
        self.console.cookies.set_login_nonce(response, nonce)
        return response

    async def poll(self, request: Request) -> Response:
        """The login page asks every two seconds: nothing yet (204), a fresh code when this
        one expired, or — approved — signed in and sent on."""
        nonce = self.console.cookies.login_nonce(request)
        store = self.console.runtime(request).store
        approver: User | None = None
        if nonce:
            try:
                approver = await console_login.redeem_login(store, nonce)
            except NotFound:
                nonce = None
            except Forbidden:  # approved by someone no longer staff
                nonce = None
            else:
                if approver is None:
                    return Response(status_code=204)
        if approver is None:
            nonce, qr = await self._new_code(request)
            response = self.console.render(
                request,
                "login_code.html",
                qr=qr,
                nonce=nonce,
                renewed=True,
                poll_url="/console/login/poll?next=" + _next_page(request),
            )
            self.console.cookies.set_login_nonce(response, nonce)
            return response
        return await self._start(request, approver, htmx=True)

    async def link(self, request: Request) -> Response:
        """A one-time link from `quanzi console-link`, opened: it asks to confirm and spends
        nothing — a chat app fetching the link for its preview must not sign in with it."""
        token = request.query_params.get("token", "")
        store = self.console.runtime(request).store
        try:
            holder = await console_login.login_link_holder(store, token)
        except (NotFound, Forbidden) as exc:
            return self._link_refused(request, exc)
        response = self.console.render(
            request,
            "link_confirm.html",
            holder=holder,
            token=token,
            next_page=_next_page(request),
            user=None,
            nav=[],
            csrf="",
        )
        # the token is in this page's address: nobody keeps or is sent it
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def confirm_link(self, request: Request) -> Response:
        """The link confirmed (its token in the form): signed in once, then it is spent."""
        token = str((await request.form()).get("token", ""))
        store = self.console.runtime(request).store
        try:
            user = await console_login.redeem_login_link(store, token)
        except (NotFound, Forbidden) as exc:
            return self._link_refused(request, exc)
        return await self._start(request, user, htmx=False)

    def _link_refused(self, request: Request, exc: NotFound | Forbidden) -> Response:
        if isinstance(exc, Forbidden):
            return self.console.refuse(request, "forbidden.member")
        locale = pick_locale(request.headers.get("accept-language"))
        return self.console.render(
            request,
            "link_refused.html",
            status=410,
            error=render(exc.message_key, locale),
            user=None,
            nav=[],
            csrf="",
        )

    async def _start(self, request: Request, user: User, *, htmx: bool) -> Response:
        runtime = self.console.runtime(request)
        session = await console_sessions.start_session(runtime.store, user, self.console.idle)
        target = _next_page(request)
        if htmx:
            response = Response(status_code=200, headers={"HX-Redirect": target})
        else:
            # A page that moves on by itself (not a redirect): a link opened from another
            # site still arrives with the new SameSite=Strict cookie on the next request.
            response = self.console.render(
                request, "link_ok.html", target=target, user=None, nav=[], csrf=""
            )
        self.console.cookies.set_session(response, session.session_id)
        self.console.cookies.clear_login_nonce(response)
        return response


async def sign_out(desk: Desk) -> Response:
    console = desk.console
    await console_sessions.end_session(console.runtime(desk.request).store, desk.session.session_id)
    response = RedirectResponse("/console/login", status_code=303)
    console.cookies.clear_session(response)
    return response
