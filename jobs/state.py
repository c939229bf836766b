"""The runtime a job runs with, set by the worker's composition root (or a test)."""

from __future__ import annotations

from quanzi.bootstrap import Runtime

_runtime: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("jobs need a runtime: start them with `quanzi worker`")
    return _runtime
