"""Cases and the alert-to-response chain: routing, SLAs, escalation, notifications, metrics."""
