"""Amazon SQS: queues, messages, visibility, long polling."""
