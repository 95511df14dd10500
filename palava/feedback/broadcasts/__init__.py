"""Broadcasts to opted-in reporters and consenting actors."""
