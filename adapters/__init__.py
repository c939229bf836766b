"""The outside world: database configuration and raw-SQL helpers, Redis, file storage, WeChat."""
