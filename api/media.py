"""POST /media/images, the mini-program's wx.uploadFile target (multipart, field `file`), and
the /media/ files it stores."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.context import bearer_token, pick_locale
from api.errors import error_response
from domain import auth, media
from domain.errors import BadInput, ErrorCode, QuanziError, Unauthenticated
from domain.texts import render
from quanzi.bootstrap import Runtime

_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
}
# Room for the multipart envelope around the file itself.
_ENVELOPE = 64 * 1024


def _error(exc: QuanziError, locale: str, status: int | None = None) -> JSONResponse:
    field = {"field": exc.field} if exc.field else {}
    message = render(exc.message_key, locale, **exc.params)
    return error_response(message, exc.code, status or _STATUS.get(exc.code, 400), **field)


async def upload_image(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    locale = pick_locale(request.headers.get("accept-language"))
    try:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise Unauthenticated()
        user = await auth.authenticate(runtime.tokens, token)
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            # A chunked upload's size is unknown until it has all arrived: refused first.
            return _error(BadInput("content_length_required"), locale, 411)
        if int(length) > settings.media_max_bytes + _ENVELOPE:
            too_large = BadInput(
                "image_too_large", field="file", max_mb=settings.media_max_bytes // (1024 * 1024)
            )
            return _error(too_large, locale, 413)
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise BadInput("image_missing", field="file")
            data = await upload.read(settings.media_max_bytes + 1)
        record = await media.store_image(
            user,
            data,
            runtime.media,
            runtime.images,
            base_url=settings.public_media_url,  # configuration only, never the Host header
            max_bytes=settings.media_max_bytes,
            max_pixels=settings.media_max_pixels,
        )
    except QuanziError as exc:
        return _error(exc, locale)
    return JSONResponse({"url": record.url, "width": record.width, "height": record.height})


class MediaFiles(StaticFiles):
    """The stored uploads. Each name carries a random token and is never written twice, so a
    browser or CDN may keep a file for a year; the type is the one sniffed at upload and
    is not to be sniffed again."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
