"""Domain services: behaviour of each AWS service, independent of HTTP and wire formats."""
