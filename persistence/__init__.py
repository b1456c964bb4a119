"""Durable storage for Posthouse: SQLite in WAL mode behind a group-committing writer.

Nothing here knows about HTTP, AWS wire formats or the server package.
"""
