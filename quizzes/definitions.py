"""The published quiz behind a placement, read in one query, its questions cached (issue 17).

Starting an attempt needs the placement's course, the quiz's rules and its questions as
served before shuffling. ``definition_of`` reads all but the questions in one query of the
live, public quiz page (so a draft of the page, or an unpublished or restricted one, is never
used), and takes the questions from the cache under a key made of the quiz's latest revision
and a digest of the stored questions computed by the database in that same query. The cached
value is a function of its key alone: an edit of the quiz (through the admin, which makes a
revision, or any other write to the row) changes the key at once, so no invalidation is
needed and nothing stale can be served; an old key simply ages out.

Quizzes are snippets with revisions but without drafts (``RevisionMixin``): the row is what is
published. A page draft that points to another quiz lives in a page revision, not in the row
read here, until it is published.
"""

import copy
import random
from dataclasses import dataclass
from uuid import UUID

from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import PageViewRestriction

from courses.models import CoursePage, QuizPage

CACHE_PREFIX = "quizzes:questions:v2"
CACHE_SECONDS = 24 * 3600  # a key never goes stale (see above); this only frees the memory


@dataclass(frozen=True)
class QuizDefinition:
    """What starting an attempt at a placement needs, as published now."""

    placement_id: int
    placement_key: UUID  # the quiz page's translation_key
    course_key: UUID | None  # the course's translation_key; None: not in a course
    quiz_id: int
    language: str  # the quiz's language: the snapshot's own words ("True") are in it
    pass_mark: int
    review_policy: str
    attempts_allowed: int | None
    time_limit_minutes: int | None
    shuffle_questions: bool
    shuffle_options: bool
    draw_count: int | None
    # Every question of the pool in authored order, as ``question_base`` makes it; shared by
    # all attempts in this process, so ``serve`` copies what it hands out.
    questions: tuple
    # The quiz's version: its id, latest revision and the digest of its stored questions and
    # instructions (the questions' cache key); the quiz page's cached fragment is keyed by it.
    version: str = ""


# The fields of the one query, in its order.
_ROW = (
    "translation_key",
    "quiz_id",
    "latest_revision_id",
    "language",
    "pass_mark",
    "review_policy",
    "attempts_allowed",
    "time_limit_minutes",
    "shuffle_questions",
    "shuffle_options",
    "draw_count",
    "questions_digest",
    "restricted",
    "course_key",
)
_SQL = None


def _sql() -> str:
    """The one query, written out: the ORM took about 5 ms of CPU to compile it (its
    annotations, subqueries and the page inheritance), more than the rest of a start, on the
    path every learner of a webinar takes at once (profiled, issue 17). A page's ancestors
    (and the page itself) are the pages whose path is a prefix of its path, as Wagtail's
    tree stores them; MD5 exists on PostgreSQL and on Django's SQLite connections."""
    global _SQL
    if _SQL is None:
        from wagtail.models import Locale, Page

        from .models import Quiz

        page, locale = Page._meta.db_table, Locale._meta.db_table
        restriction = PageViewRestriction._meta.db_table
        _SQL = f"""
            SELECT p.translation_key, q.id, q.latest_revision_id, l.language_code,
                   q.pass_mark, q.review_policy, q.attempts_allowed, q.time_limit_minutes,
                   q.shuffle_questions, q.shuffle_options, q.draw_count,
                   MD5(CAST(q.questions AS TEXT) || COALESCE(q.instructions, '')),
                   EXISTS (
                       SELECT 1 FROM {restriction} r JOIN {page} rp ON rp.id = r.page_id
                       WHERE rp.path = SUBSTR(p.path, 1, LENGTH(rp.path))
                   ),
                   (
                       SELECT cp.translation_key
                       FROM {CoursePage._meta.db_table} c JOIN {page} cp ON cp.id = c.page_ptr_id
                       WHERE cp.path = SUBSTR(p.path, 1, LENGTH(cp.path))
                       ORDER BY cp.path LIMIT 1
                   )
            FROM {QuizPage._meta.db_table} qp
            JOIN {page} p ON p.id = qp.page_ptr_id
            JOIN {Quiz._meta.db_table} q ON q.id = qp.quiz_id
            JOIN {locale} l ON l.id = q.locale_id
            WHERE p.id = %s AND p.live
        """
    return _SQL


def _uuid(value) -> UUID | None:
    return value if value is None or isinstance(value, UUID) else UUID(str(value))


def _row(placement_id) -> dict | None:
    """The live quiz page's placement key, course key and quiz settings, whether a view
    restriction covers it, and a digest of the quiz's stored questions; None: not live."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [int(placement_id)])
        found = cursor.fetchone()
    if found is None:
        return None
    row = dict(zip(_ROW, found, strict=True))
    row["translation_key"] = _uuid(row["translation_key"])
    row["course_key"] = _uuid(row["course_key"])
    for name in ("restricted", "shuffle_questions", "shuffle_options"):
        row[name] = bool(row[name])
    return row


def question_base(block) -> dict:
    """One question as served, before its options are shuffled: everything needed to show
    and to grade it later, ``order`` in authored order and ``shuffle`` saying whether the
    quiz's option shuffling applies (never to true/false; always to matching menus)."""
    value = block.value
    kind = block.block_type
    question = {
        "id": str(block.id),
        "text": value["text"],
        "points": value.get("points", 0) if kind != "reflection" else 0,
        "explanation": str(value.get("explanation") or ""),
        "scoring": value.get("scoring", "all_or_nothing"),
    }
    shuffle = None  # the quiz decides
    if kind in ("single_choice", "multiple_response"):
        question["type"] = "single" if kind == "single_choice" else "multiple"
        question["options"] = [
            {
                "id": str(item.id),
                "text": item.value["text"],
                "correct": bool(item.value["correct"]),
                "feedback": item.value["feedback"] or "",
            }
            for item in value["options"].bound_blocks
        ]
        ids = [option["id"] for option in question["options"]]
    elif kind == "true_false":
        question["type"] = "true_false"
        truth = bool(value["correct"])
        question["options"] = [
            {"id": "true", "text": _("True"), "correct": truth, "feedback": value["feedback_true"]},
            {
                "id": "false",
                "text": _("False"),
                "correct": not truth,
                "feedback": value["feedback_false"],
            },
        ]
        ids = ["true", "false"]
        shuffle = False  # true before false, always
    elif kind == "ordering":
        question["type"] = "ordering"
        question["items"] = [
            {"id": str(item.id), "text": item.value} for item in value["items"].bound_blocks
        ]
        ids = [item["id"] for item in question["items"]]
        # Served as authored, the question would answer itself. A uniform shuffle, never one
        # that avoids the correct order: ruling out the correct order tells a learner who
        # starts enough attempts which one it is (with two items, at once).
        shuffle = True
    elif kind == "matching":
        question["type"] = "matching"
        question["pairs"] = [
            {"id": str(item.id), "prompt": item.value["prompt"], "match": item.value["match"]}
            for item in value["pairs"].bound_blocks
        ]
        ids = [pair["id"] for pair in question["pairs"]]
        shuffle = True  # the menu of matches is shuffled
    else:
        question["type"] = "reflection"
        ids = []
    question["order"] = ids
    return {"question": question, "shuffle": shuffle}


def _questions(quiz_id: int, language: str) -> tuple:
    from .models import Quiz

    quiz = Quiz.objects.only("questions").get(pk=quiz_id)
    # The words the snapshot adds ("True", "False") in the quiz's language, not the page's
    # the learner started from: they sit among the quiz's own texts.
    with translation.override(language):
        return tuple(question_base(block) for block in quiz.questions)


def definition_of(placement_id) -> QuizDefinition | None:
    """The placement's quiz as published now, or None when the page is not live and public
    (a draft, unpublished, behind a view restriction, or gone)."""
    row = _row(placement_id)
    if row is None or row["restricted"]:
        return None
    language = row["language"]
    key = ":".join(
        (
            CACHE_PREFIX,
            str(row["quiz_id"]),
            str(row["latest_revision_id"]),
            row["questions_digest"],
            language,
        )
    )
    questions = cache.get(key)
    if questions is None:
        questions = _questions(row["quiz_id"], language)
        cache.set(key, questions, CACHE_SECONDS)
    return QuizDefinition(
        placement_id=int(placement_id),
        placement_key=row["translation_key"],
        course_key=row["course_key"],
        quiz_id=row["quiz_id"],
        language=language,
        pass_mark=row["pass_mark"],
        review_policy=row["review_policy"],
        attempts_allowed=row["attempts_allowed"],
        time_limit_minutes=row["time_limit_minutes"],
        shuffle_questions=row["shuffle_questions"],
        shuffle_options=row["shuffle_options"],
        draw_count=row["draw_count"],
        questions=questions,
        version=key,
    )


def serve(definition: QuizDefinition, rng: random.Random) -> list[dict]:
    """A new attempt's questions (without tokens): the questions drawn, in their served
    order, options shuffled as the quiz says; copies, never the cached objects."""
    bases = list(definition.questions)
    if definition.draw_count and definition.draw_count < len(bases):
        drawn = sorted(rng.sample(range(len(bases)), definition.draw_count))
        bases = [bases[index] for index in drawn]
    if definition.shuffle_questions:
        rng.shuffle(bases)
    served = []
    for base in bases:
        question = copy.deepcopy(base["question"])
        shuffle = definition.shuffle_options if base["shuffle"] is None else base["shuffle"]
        if shuffle:
            rng.shuffle(question["order"])
        served.append(question)
    return served
