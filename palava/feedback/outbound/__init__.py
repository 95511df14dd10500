"""Outbound messages: gateway adapters, sending with retries, delivery reports, replies, opt-out."""
