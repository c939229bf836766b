"""The import-layer check: the contracts in pyproject.toml hold, and they bite.

The check runs `lint-imports` in a child process, so the import graph is read from the files on
disk and nothing this test session imported can leak into it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["quanzi", "api", "console", "domain", "adapters", "recommend", "jobs"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the layer check on the packages under `root`, with `root` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layer_contracts_are_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _copy_of_the_packages(into: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def _append(module: Path, line: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_a_web_import_in_the_domain_and_a_tools_import_in_the_api_break_the_check(
    tmp_path: Path,
) -> None:
    root = _copy_of_the_packages(tmp_path)
    _append(root / "domain" / "wordfilter.py", "import strawberry")
    _append(root / "api" / "ids.py", "from quanzi.tools import seed")

    result = lint_imports(root)

    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    broken = report[report.index("Broken contracts") :]
    assert "The domain imports no web framework" in broken
    assert "domain.wordfilter -> strawberry" in broken
    assert "Only the command line imports the tools" in broken
    assert "api.ids -> quanzi.tools.seed" in broken
    assert "2 broken" in report


def test_the_api_importing_an_adapter_breaks_the_check(tmp_path: Path) -> None:
    root = _copy_of_the_packages(tmp_path)
    _append(root / "api" / "ids.py", "from adapters import sql")

    result = lint_imports(root)

    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "The API reaches adapters only through the composition root" in report
    assert "api.ids -> adapters.sql" in report


def test_anything_but_the_app_factory_importing_the_console_breaks_the_check(
    tmp_path: Path,
) -> None:
    root = _copy_of_the_packages(tmp_path)
    _append(root / "api" / "ids.py", "from console import texts")
    _append(root / "console" / "texts.py", "from adapters import sql")

    result = lint_imports(root)

    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "Only the app factory imports the console" in report
    assert "api.ids -> console.texts" in report
    assert "The console is a client of the schema" in report
    assert "console.texts -> adapters.sql" in report


def test_every_package_is_a_regular_package() -> None:
    """A folder of modules without `__init__.py` is a namespace package: the wheel's package
    finder leaves it out (the Docker image would lack it) and the layer check reads its
    imports only now and then (grimp 3.20: the console's contract passed or failed by run)."""
    missing = [
        str(folder.relative_to(ROOT))
        for package in PACKAGES
        for folder in [ROOT / package, *(ROOT / package).rglob("*")]
        if folder.is_dir()
        and "__pycache__" not in folder.parts
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    ]
    assert missing == []
