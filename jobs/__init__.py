"""Background jobs and their schedule (the worker arrives with the data-jobs issue)."""
