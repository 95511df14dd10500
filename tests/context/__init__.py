"""Tests for palava.context."""
