"""/healthz: 200 when PostgreSQL and Redis both answer, 503 naming the one that does not."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import Tortoise

from quanzi.bootstrap import Runtime

CHECK_TIMEOUT = 2.0


async def _check_postgres() -> None:
    await Tortoise.get_connection("default").execute_query("SELECT 1")


async def _check(name: str, check: object) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT)  # type: ignore[arg-type]
    except Exception as exc:  # a health check reports every failure, whatever it is
        return name, f"down: {type(exc).__name__}"
    return name, "ok"


async def healthz(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    results = dict(
        await asyncio.gather(
            _check("postgres", _check_postgres()), _check("redis", runtime.store.ping())
        )
    )
    healthy = all(v == "ok" for v in results.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", **results},
        status_code=200 if healthy else 503,
    )
