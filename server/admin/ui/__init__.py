"""The web dashboard (/admin/ui): a static page that reads and drives the admin API."""
