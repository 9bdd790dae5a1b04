"""Fixtures shared by the policy app's tests."""

from .workflow import world

__all__ = ["world"]
