"""Retention of free-text answers (issue 14): reflections may say anything about the person,
so they are erased ``RETENTION_FREE_TEXT_DAYS`` after the attempt; the graded answer rows
(``AttemptAnswer``: answered, points) stay for results and item statistics."""

from datetime import datetime

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Attempt

FREE_TEXT_TYPES = {"reflection"}


def free_text_erase(cutoff: datetime) -> int:
    """Remove the free-text answers of attempts submitted (or, never submitted, started)
    before ``cutoff``; returns how many attempts changed. Other answers stay: the learner's
    review still shows what they chose."""
    changed = 0
    attempts = (
        Attempt.objects.annotate(ended_at=Coalesce("submitted_at", "started_at"))
        .filter(ended_at__lt=cutoff)
        .exclude(answers={})
        .only("pk", "questions", "answers")
    )
    for attempt in attempts.iterator(chunk_size=500):
        free = {q["id"] for q in attempt.questions if q.get("type") in FREE_TEXT_TYPES}
        if not free & attempt.answers.keys():
            continue
        with transaction.atomic():
            # Re-read under lock: a learner may be saving answers to an old open attempt.
            locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
            locked.answers = {k: v for k, v in locked.answers.items() if k not in free}
            locked.save(update_fields=["answers"])
        changed += 1
    return changed


def free_text_describe(days: int) -> str:
    return (
        ngettext(
            "Free-text answers to quiz questions (reflections): erased %(days)d day after the "
            "attempt.",
            "Free-text answers to quiz questions (reflections): erased %(days)d days after the "
            "attempt.",
            days,
        )
        % {"days": days}
        + " "
        + _("Scores and which options were chosen stay with the attempt.")
    )
