"""What the end-to-end flow checks deploy, in every client: a handler that prints each record's body."""

from __future__ import annotations

PRINTER = """
def handler(event, context):
    for record in event["Records"]:
        print("got", record["body"])
"""
