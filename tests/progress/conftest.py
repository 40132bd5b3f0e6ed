"""Fixtures of the progress tests."""

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def clock(monkeypatch):
    """``clock.shift(seconds)`` moves the server's time forward (for every thread)."""
    real_now = timezone.now

    class Clock:
        offset = timedelta(0)

        def shift(self, seconds):
            self.offset += timedelta(seconds=seconds)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock
