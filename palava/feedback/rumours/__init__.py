"""The rumour log."""
