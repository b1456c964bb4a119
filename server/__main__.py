"""`python -m server`: the same as the `posthouse` command."""

from server.cli import main

main()
