"""The break-it campaign as bounded scripts: each runs with one command, stops by itself, prints figures."""
