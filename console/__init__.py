"""The operator console: server-rendered pages at /console over the schema's own operations."""
