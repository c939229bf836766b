"""The console's two cookies, signed with a key of their own derived from the token secret.

`qz_console` carries the session id (the record is server-side, domain/console_sessions.py);
`qz_console_login` carries the QR code's nonce while the login page waits, so only the
browser that was shown the code can redeem its approval. Both are HttpOnly, SameSite=Strict,
scoped to /console, and Secure in production."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from starlette.requests import HTTPConnection
from starlette.responses import Response

SESSION_COOKIE = "qz_console"
LOGIN_COOKIE = "qz_console_login"
_PATH = "/console"
_LOGIN_PATH = "/console/login"


class ConsoleCookies:
    def __init__(self, secret: str, *, secure: bool, login_ttl: timedelta) -> None:
        # itsdangerous derives each signing key from the secret and the salt: a console cookie
        # is never a valid access token, nor the other way round.
        self._session = URLSafeSerializer(secret, salt="quanzi.console.session")
        self._login = URLSafeTimedSerializer(secret, salt="quanzi.console.login")
        self.secure = secure
        self.login_ttl = login_ttl

    def session_id(self, request: HTTPConnection) -> str | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            value = self._session.loads(raw)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def set_session(self, response: Response, session_id: str) -> None:
        # No Max-Age: the browser forgets it when it closes; the server forgets it after the
        # idle timeout, whichever comes first.
        response.set_cookie(
            SESSION_COOKIE,
            self._session.dumps(session_id),
            path=_PATH,
            httponly=True,
            samesite="strict",
            secure=self.secure,
        )

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path=_PATH, httponly=True, samesite="strict", secure=self.secure
        )

    def login_nonce(self, request: HTTPConnection) -> str | None:
        raw = request.cookies.get(LOGIN_COOKIE)
        if not raw:
            return None
        try:
            value = self._login.loads(raw, max_age=int(self.login_ttl.total_seconds()))
        except BadSignature:  # SignatureExpired is one
            return None
        return value if isinstance(value, str) else None

    def set_login_nonce(self, response: Response, nonce: str) -> None:
        response.set_cookie(
            LOGIN_COOKIE,
            self._login.dumps(nonce),
            max_age=int(self.login_ttl.total_seconds()),
            path=_LOGIN_PATH,
            httponly=True,
            samesite="strict",
            secure=self.secure,
        )

    def clear_login_nonce(self, response: Response) -> None:
        response.delete_cookie(
            LOGIN_COOKIE, path=_LOGIN_PATH, httponly=True, samesite="strict", secure=self.secure
        )
