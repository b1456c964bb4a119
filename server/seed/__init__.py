"""The seed document: queues, topics, subscriptions, functions and mappings declared once (YAML or JSON,
checked against schema.json) and created at start where they are missing."""
