"""Certificates: issued on completion, rendered and mailed by Celery, verifiable by anyone."""
