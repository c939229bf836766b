"""Node test suites run against a real server: clients/conformance (standard clients) and
clients/miniprogram (the SDK). Each is built once per session with `npm run build` and runs
one compiled test file per case with node's test runner, given the case's fixture as JSON in
an environment variable."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def build(package: Path, deps_target: str) -> Path:
    """`npm run build` in the package; skipped (failed under CI) when Node or the package's
    Node modules (`make <deps_target>`) are missing."""
    missing = (
        "node is not installed"
        if shutil.which("node") is None
        else f"the Node packages are not installed: run `make {deps_target}`"
        if not (package / "node_modules" / ".package-lock.json").exists()
        else None
    )
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    done = subprocess.run(
        ["npm", "run", "--silent", "build"],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"npm run build failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return package


async def run_node(
    package: Path,
    script: str,
    *,
    fixture_variable: str,
    given: dict[str, object],
    seconds: float,
    force_exit: bool = False,
) -> None:
    """Run the compiled test file `script` of the package with `given` in
    `fixture_variable`; fail with node's report."""
    env = {**os.environ, fixture_variable: json.dumps(given), "TZ": "Asia/Shanghai"}
    # --test-force-exit: a failed case may leave a socket open
    flags = ["--test-force-exit"] if force_exit else []
    process = await asyncio.create_subprocess_exec(
        "node",
        "--test",
        *flags,
        "--test-reporter=spec",
        script,
        cwd=package,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    name = Path(script).name
    try:
        output, _ = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        pytest.fail(f"{name}: node did not finish in {seconds:g} s\n{output.decode()}")
    report = output.decode()
    if process.returncode != 0:
        pytest.fail(f"{name} failed in node:\n{report}", pytrace=False)
    print(report)  # node's diagnostics, for -s or -rP
