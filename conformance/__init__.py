"""Posthouse's conformance suite: black-box checks of AWS behaviour, runnable against any endpoint."""
