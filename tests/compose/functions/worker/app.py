def handler(event, context):
    for record in event["Records"]:
        print("job", record["messageId"], record["body"])
    return {"batchItemFailures": []}
