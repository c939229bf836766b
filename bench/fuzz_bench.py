"""A longer fuzzing run than CI's: the suite's fuzz tests (tests/api/test_fuzz.py: queries and
mutations generated from schema.graphql, and forged cursors, strings and DateTimes sent as
variables to the operations that take them, all over HTTP by a signed-in operator; no
answer may be an internal error or SERVICE_UNAVAILABLE) with more examples, once per seed.
Strings include lone surrogates, cursors integers past a bigint and timestamps without an
offset, DateTimes instants at both ends of the calendar with every offset.

    .venv/bin/python bench/fuzz_bench.py [--examples 1000] [--seeds 1 2 3]

Needs what `make test` needs (DATABASE_URL/REDIS_URL, or the embedded servers).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.api.test_fuzz import VARIABLE_PROBES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    failed = 0
    for seed in args.seeds:
        env = {
            **os.environ,
            "QUANZI_FUZZ_EXAMPLES": str(args.examples),
            "QUANZI_FUZZ_SEED": str(seed),
        }
        started = time.perf_counter()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/api/test_fuzz.py",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        outcome = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "no output"
        variables = args.examples * len(VARIABLE_PROBES)
        print(
            f"seed {seed}: {args.examples} queries + {args.examples} mutations + {variables} "
            f"variable probes = {args.examples * 2 + variables} cases: {outcome} "
            f"({time.perf_counter() - started:.0f}s)",
            flush=True,
        )
        if run.returncode != 0:
            failed += 1
            print(run.stdout[-4000:], run.stderr[-2000:])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
