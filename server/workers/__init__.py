"""Supervised background tasks."""
