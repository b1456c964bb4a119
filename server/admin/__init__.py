"""Operator routes: health, readiness, inspection, and test-suite controls."""
