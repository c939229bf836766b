"""Background jobs and their schedule, run by `quanzi worker` (wired in quanzi/worker.py)."""
