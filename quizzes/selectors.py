"""What the attempt and result pages show, built from the attempt's snapshot.

``attempt_form`` is the only view of an open attempt: it carries texts, the attempt's tokens
(never the stable ids, see ``tokens.py``) and the learner's saved answers, never which option
is correct, feedback or explanations. What a submitted attempt tells about right and wrong is
decided by ``review_allowed`` and ``results_released`` for the result page and the learner's
data download alike.
"""

from dataclasses import dataclass, field

from . import grading
from .tokens import token


@dataclass
class Choice:
    id: str
    text: str
    selected: bool = False


@dataclass
class FormQuestion:
    number: int
    id: str
    type: str
    text: str
    points: int
    choices: list[Choice] = field(default_factory=list)  # options; matches for matching
    rows: list[dict] = field(default_factory=list)  # ordering items / matching prompts
    positions: list[int] = field(default_factory=list)
    text_answer: str = ""


def attempt_language(attempt) -> str:
    """The language the attempt's questions are written in: its quiz's, else its placement's
    (the quiz may have been deleted since)."""
    for source in (attempt.quiz, attempt.placement):
        if source is not None:
            return source.locale.language_code
    return ""


def attempt_form(attempt) -> list[FormQuestion]:
    """The open attempt as its form shows it: the attempt's tokens as field names and
    values (never the stable ids, see ``tokens.py``), options in their served order."""
    questions = []
    for number, q in enumerate(attempt.questions, start=1):
        answer = attempt.answers.get(q["id"])
        item = FormQuestion(number, q["id"], q["type"], q["text"], q.get("points", 0))
        if q["type"] in ("single", "true_false", "multiple"):
            options = {option["id"]: option for option in q["options"]}
            chosen = set(answer) if isinstance(answer, list) else {answer}
            item.choices = [
                Choice(token(options[oid]), options[oid]["text"], oid in chosen)
                for oid in q["order"]
            ]
        elif q["type"] == "ordering":
            items = {entry["id"]: entry for entry in q["items"]}
            placed = {item_id: n for n, item_id in enumerate(answer or [], start=1)}
            item.rows = [
                {"id": token(items[iid]), "text": items[iid]["text"], "selected": placed.get(iid)}
                for iid in q["order"]
            ]
            item.positions = list(range(1, len(q["order"]) + 1))
        elif q["type"] == "matching":
            pairs = {pair["id"]: pair for pair in q["pairs"]}
            chosen = answer or {}
            item.rows = [
                {
                    "id": token(pair, "prompt_token"),
                    "text": pair["prompt"],
                    "selected": token(pairs[chosen[pair["id"]]], "match_token")
                    if chosen.get(pair["id"]) in pairs
                    else None,
                }
                for pair in q["pairs"]
            ]
            item.choices = [
                Choice(token(pairs[pid], "match_token"), pairs[pid]["match"]) for pid in q["order"]
            ]
        else:
            item.text_answer = answer or ""
        questions.append(item)
    return questions


@dataclass
class ReviewQuestion:
    number: int
    type: str
    text: str
    grade: grading.Grade | None  # points and correctness (only when results are released)
    answer_lines: list[str]  # what the learner answered, as text
    correct_lines: list[str]  # the correct answer, as text (only when review allows)
    feedback: list[str]
    explanation: str


def _answer_lines(q, answer) -> list[str]:
    if q["type"] in ("single", "true_false", "multiple"):
        texts = {option["id"]: option["text"] for option in q["options"]}
        chosen = answer if isinstance(answer, list) else [answer] if answer else []
        return [texts[a] for a in chosen if a in texts]
    if q["type"] == "ordering":
        texts = {entry["id"]: entry["text"] for entry in q["items"]}
        return [texts[i] for i in answer or [] if i in texts]
    if q["type"] == "matching":
        pairs = {pair["id"]: pair for pair in q["pairs"]}
        return [
            f"{pairs[p]['prompt']} → {pairs[m]['match']}"
            for p, m in (answer or {}).items()
            if p in pairs and m in pairs
        ]
    return [answer] if answer else []


def _correct_lines(q) -> list[str]:
    if q["type"] in ("single", "true_false", "multiple"):
        return [option["text"] for option in q["options"] if option["correct"]]
    if q["type"] == "ordering":
        return [entry["text"] for entry in q["items"]]
    if q["type"] == "matching":
        return [f"{pair['prompt']} → {pair['match']}" for pair in q["pairs"]]
    return []


def review_allowed(attempt) -> bool:
    """Whether the correct answers, option feedback and explanations may be shown: the
    review policy copied into the attempt at its start."""
    if attempt.review_policy == "after_each":
        return True
    if attempt.review_policy == "after_pass":
        return bool(attempt.passed)
    return False


@dataclass(frozen=True)
class Siblings:
    """The learner's attempts at the same quiz placement, as far as releasing results goes."""

    used: int  # attempts started, the open one included
    open: bool  # one of them is still open


def attempts_exhausted(attempt, siblings: Siblings) -> bool:
    """No attempt is open and none is left to start: what the learner learns from their
    results can no longer change one of their own attempts. An unlimited quiz, or one that
    no longer exists, is never exhausted (the cautious side)."""
    quiz = attempt.quiz
    if quiz is None or quiz.attempts_allowed is None:
        return False
    return not siblings.open and siblings.used >= quiz.attempts_allowed


def results_released(attempt, siblings: Siblings) -> bool:
    """Whether per-question points and correctness of a submitted ``attempt`` may be shown
    (result page, data download): when review is allowed, or once the attempts are used up.
    Before that they would let a learner with attempts left sort right from wrong by
    comparing attempts; see docs/quizzes.md for how this weighs the right of access."""
    if attempt.is_open:
        return False
    return review_allowed(attempt) or attempts_exhausted(attempt, siblings)


def siblings_of(attempt) -> Siblings:
    """``Siblings`` of one attempt, in one query."""
    from .models import Attempt

    states = list(
        Attempt.objects.filter(
            enrolment_id=attempt.enrolment_id, placement_key=attempt.placement_key
        ).values_list("submitted_at", flat=True)
    )
    return Siblings(used=len(states), open=any(state is None for state in states))


def attempt_review(attempt, *, released: bool) -> list[ReviewQuestion]:
    """The submitted attempt, question by question: the learner's own answers always; points
    and correctness only when ``released`` (``results_released``); correct answers, feedback
    and explanations only where the review policy allows."""
    show = review_allowed(attempt)
    items = []
    for number, q in enumerate(attempt.questions, start=1):
        answer = attempt.answers.get(q["id"])
        chosen = answer if isinstance(answer, list) else [answer]
        feedback = [
            option["feedback"]
            for option in q.get("options", [])
            if option["id"] in chosen and option.get("feedback")
        ]
        items.append(
            ReviewQuestion(
                number=number,
                type=q["type"],
                text=q["text"],
                grade=grading.grade(q, answer) if released else None,
                answer_lines=_answer_lines(q, answer),
                correct_lines=_correct_lines(q) if show else [],
                feedback=feedback if show else [],
                explanation=q.get("explanation", "") if show else "",
            )
        )
    return items


def placements_passed(enrolment, keys, minimum_score=None) -> set:
    """The quiz placements among ``keys`` that the learner of ``enrolment`` has passed, with
    at least ``minimum_score`` % when given (registered with ``progress.activities``)."""
    from .models import Attempt

    passed = Attempt.objects.filter(enrolment=enrolment, placement_key__in=keys, passed=True)
    if minimum_score is not None:
        passed = passed.filter(percent__gte=minimum_score)
    return set(passed.values_list("placement_key", flat=True))


def attempts_data(enrolments) -> dict[int, list[dict]]:
    """Enrolment id -> its quiz attempts, for the learner's download (one query; registered
    with ``progress.selectors``). The learner's own answers always, as text: the stored stable
    ids would give a matching question away (a prompt and its own answer share one id).
    Per-question points and correctness only once ``results_released``."""
    from .models import Attempt

    attempts = list(
        Attempt.objects.filter(enrolment__in=enrolments)
        .select_related("quiz")
        .order_by("started_at", "pk")
    )
    groups: dict[tuple[int, str], list] = {}
    for attempt in attempts:
        groups.setdefault((attempt.enrolment_id, str(attempt.placement_key)), []).append(attempt)
    result: dict[int, list[dict]] = {}
    for attempt in attempts:
        group = groups[(attempt.enrolment_id, str(attempt.placement_key))]
        siblings = Siblings(used=len(group), open=any(a.is_open for a in group))
        released = results_released(attempt, siblings)
        questions = []
        for q in attempt.questions:
            answer = attempt.answers.get(q["id"])
            # .get: the large generated data set stores compact snapshots without texts.
            entry = {"question_id": q["id"], "question": q.get("text", ""), "type": q["type"]}
            entry["answer"] = _answer_lines(q, answer)
            if released and q["type"] != "reflection":
                graded = grading.grade(q, answer)
                entry.update(
                    points=graded.points, max_points=graded.max_points, correct=graded.correct
                )
            questions.append(entry)
        result.setdefault(attempt.enrolment_id, []).append(
            {
                "quiz_key": str(attempt.placement_key),
                "number": attempt.number,
                "started_at": attempt.started_at.isoformat(),
                "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
                "answers": {entry["question_id"]: _download_answer(entry) for entry in questions},
                "questions": questions,
                "results_per_question": released,
                "score": attempt.score,
                "max_score": attempt.max_score,
                "percent": attempt.percent,
                "passed": attempt.passed,
            }
        )
    return result


def _download_answer(entry: dict):
    """One answer as text: a reflection's own text, otherwise the chosen lines."""
    if entry["type"] == "reflection":
        return entry["answer"][0] if entry["answer"] else ""
    return entry["answer"]


def accommodations_data(user) -> list[dict]:
    """The learner's time accommodations, in force and ended, for their data download."""
    from .models import TimeAccommodation

    return [
        {
            "kind": item.kind,
            "multiplier": str(item.multiplier) if item.multiplier is not None else None,
            "extra_minutes": item.extra_minutes,
            "reason": item.reason,
            "granted_at": item.granted_at.isoformat(),
            "ended_at": item.ended_at.isoformat() if item.ended_at else None,
        }
        for item in TimeAccommodation.objects.filter(learner=user).order_by("granted_at")
    ]
