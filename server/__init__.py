"""Posthouse: a local, durable stand-in for Amazon SQS."""
