"""Shared helpers for the Sequence Models course notebooks."""
