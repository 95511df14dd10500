"""Background tasks (imported by palava/feedback/tasks.py so the scheduler registers them)."""
