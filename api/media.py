"""POST /media/images: the mini-program's wx.uploadFile target (multipart, field `file`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.context import bearer_token, pick_locale
from api.errors import error_response
from domain import auth, media
from domain.errors import BadInput, ErrorCode, QuanziError, Unauthenticated
from domain.messages import render
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
            return _error(BadInput("image_missing", field="file"), locale, 411)
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
            base_url=settings.media_base_url or str(request.base_url) + "media",
            max_bytes=settings.media_max_bytes,
            max_pixels=settings.media_max_pixels,
        )
    except QuanziError as exc:
        return _error(exc, locale)
    return JSONResponse({"url": record.url, "width": record.width, "height": record.height})
