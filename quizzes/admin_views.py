"""Item statistics for authors: per quiz, per question and per option, from graded answers."""

from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q, Sum
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from .models import Attempt, AttemptAnswer, Quiz


def _check(request):
    if not request.user.has_perm("quizzes.change_quiz"):
        raise PermissionDenied


def statistics_index(request):
    """Every quiz with its attempts, pass rate and mean score (one aggregate query)."""
    _check(request)
    quizzes = Quiz.objects.select_related("locale").annotate(
        attempt_count=Count("attempts", filter=Q(attempts__submitted_at__isnull=False)),
        passed_count=Count("attempts", filter=Q(attempts__passed=True)),
        mean_percent=Avg("attempts__percent", filter=Q(attempts__submitted_at__isnull=False)),
    )
    return render(
        request,
        "quizzes/admin/statistics_index.html",
        {"quizzes": quizzes, "page_title": _("Quiz statistics")},
    )


def quiz_statistics(request, quiz_id):
    """Per question: how many answered and the share correct; per option: the share who chose
    it. Questions are matched on their stable ids in the attempts' snapshots."""
    _check(request)
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    submitted = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    summary = submitted.aggregate(
        attempts=Count("id"), passed=Count("id", filter=Q(passed=True)), mean=Avg("percent")
    )
    per_question = {
        row["question_id"]: row
        for row in AttemptAnswer.objects.filter(quiz=quiz)
        .values("question_id")
        .annotate(
            served=Count("id"),
            answered=Count("id", filter=Q(answered=True)),
            correct=Count("id", filter=Q(correct=True)),
            points=Sum("points"),
        )
    }
    chosen: dict[str, Counter] = {}
    for question_id, options in AttemptAnswer.objects.filter(quiz=quiz).values_list(
        "question_id", "chosen"
    ):
        chosen.setdefault(question_id, Counter()).update(set(options or []))
    rows = []
    for block in quiz.questions:
        stats = per_question.get(str(block.id), {})
        answered = stats.get("answered", 0)
        options = []
        if block.block_type in ("single_choice", "multiple_response"):
            for item in block.value["options"].bound_blocks:
                count = chosen.get(str(block.id), Counter())[str(item.id)]
                options.append(
                    {
                        "text": item.value["text"],
                        "correct": item.value["correct"],
                        "share": round(100 * count / answered) if answered else None,
                    }
                )
        elif block.block_type == "true_false":
            for value, label in (("true", _("True")), ("false", _("False"))):
                count = chosen.get(str(block.id), Counter())[value]
                options.append(
                    {
                        "text": label,
                        "correct": bool(block.value["correct"]) == (value == "true"),
                        "share": round(100 * count / answered) if answered else None,
                    }
                )
        rows.append(
            {
                "text": block.value["text"],
                "type": block.block.meta.label,
                "served": stats.get("served", 0),
                "answered": answered,
                "share_correct": (
                    round(100 * stats["correct"] / answered)
                    if answered and block.block_type != "reflection"
                    else None
                ),
                "options": options,
            }
        )
    return render(
        request,
        "quizzes/admin/statistics.html",
        {
            "quiz": quiz,
            "summary": summary,
            "rows": rows,
            "page_title": _("Statistics: %s") % quiz.title,
        },
    )
