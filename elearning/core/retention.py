"""Retention: personal data kept no longer than the settings say (GDPR art. 5.1 e).

Each app registers what it erases and after how long (the name of a setting holding a number of
days) in its ``AppConfig.ready()``; the platform core imports none of them. One Celery beat job
(``elearning.core.tasks.retention_apply``, daily) runs every rule, and the privacy page lists the
rules from here, with the days read from the settings, so the page says what the job does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class RetentionRule:
    name: str
    setting: str  # the setting that holds the number of days; 0 turns the rule off
    # What is erased, for the privacy page: called with the days, returns a sentence.
    describe: Callable[[int], str]
    # Erases what is older than the cutoff; returns how many rows were changed or removed.
    apply: Callable[[datetime], int]
    order: int

    @property
    def days(self) -> int:
        return int(getattr(settings, self.setting, 0) or 0)


_rules: dict[str, RetentionRule] = {}


def retention_register(
    name: str,
    *,
    setting: str,
    describe: Callable[[int], str],
    apply: Callable[[datetime], int],
    order: int = 100,
) -> None:
    """Erase with ``apply(cutoff)`` what is older than ``settings.<setting>`` days (nothing
    when the setting is 0); ``describe(days)`` says so on the privacy page."""
    _rules[name] = RetentionRule(name, setting, describe, apply, order)


def retention_rules() -> list[RetentionRule]:
    """Every registered rule, in ``order`` (then by name)."""
    return sorted(_rules.values(), key=lambda rule: (rule.order, rule.name))


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Run every rule whose setting is above 0; returns how many rows each one changed."""
    now = now or timezone.now()
    done = {}
    for rule in retention_rules():
        if rule.days > 0:
            done[rule.name] = rule.apply(now - timedelta(days=rule.days))
    return done
