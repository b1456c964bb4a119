from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    for record in event["Records"]:
        print("job", record["messageId"], record["body"])
    return {"batchItemFailures": []}
