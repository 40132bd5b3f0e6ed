"""Statistics for authors, per package lesson: attempts, completion, mean score and the
results of each interaction (from the learners' records and their answered events)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q, Sum
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from progress.models import LearningEvent

from .access import LESSON_MODELS, is_staff
from .models import PackageRecord


def _check(request):
    if not is_staff(request.user):
        raise PermissionDenied


def _figures(lesson_keys):
    rows = (
        PackageRecord.objects.filter(lesson_key__in=lesson_keys)
        .values("lesson_key")
        .annotate(
            learners=Count("id"),
            sessions=Sum("sessions"),
            completed=Count("id", filter=Q(completed=True)),
            passed=Count("id", filter=Q(success=True)),
            mean=Avg("score_scaled"),
        )
    )
    return {row["lesson_key"]: row for row in rows}


def statistics_index(request):
    _check(request)
    lessons = [
        lesson
        for model in LESSON_MODELS
        for lesson in model.objects.filter(locale__language_code="sv").select_related("package")
    ] or [lesson for model in LESSON_MODELS for lesson in model.objects.all()]
    figures = _figures([lesson.translation_key for lesson in lessons])
    entries = [(lesson, figures.get(lesson.translation_key, {})) for lesson in lessons]
    return render(
        request,
        "packages/admin/statistics_index.html",
        {"entries": entries, "page_title": _("Package lesson statistics")},
    )


def lesson_statistics(request, lesson_id):
    _check(request)
    lesson = next(
        (found for model in LESSON_MODELS if (found := model.objects.filter(pk=lesson_id).first())),
        None,
    )
    if lesson is None:
        raise Http404
    summary = _figures([lesson.translation_key]).get(lesson.translation_key, {})
    interactions = (
        LearningEvent.objects.filter(
            kind=LearningEvent.Kind.QUESTION_ANSWERED,
            details__quiz_key=str(lesson.translation_key),
        )
        .values("details__interaction_id", "details__question")
        .annotate(answered=Count("id"), correct=Count("id", filter=Q(details__correct=True)))
        .order_by("details__interaction_id")
    )
    rows = [
        {
            "interaction": row["details__interaction_id"],
            "text": row["details__question"],
            "answered": row["answered"],
            "share_correct": round(100 * row["correct"] / row["answered"])
            if row["answered"]
            else None,
        }
        for row in interactions
    ]
    return render(
        request,
        "packages/admin/statistics.html",
        {
            "lesson": lesson,
            "summary": summary,
            "rows": rows,
            "page_title": _("Statistics: %(title)s") % {"title": lesson.title},
        },
    )
