"""What the attempt and result pages show, built from the attempt's snapshot.

``attempt_form`` is the only view of an open attempt: it carries texts, ids and the learner's
saved answers, never which option is correct, feedback or explanations.
"""

from dataclasses import dataclass, field

from . import grading


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


def attempt_form(attempt) -> list[FormQuestion]:
    questions = []
    for number, q in enumerate(attempt.questions, start=1):
        answer = attempt.answers.get(q["id"])
        item = FormQuestion(number, q["id"], q["type"], q["text"], q.get("points", 0))
        if q["type"] in ("single", "true_false", "multiple"):
            options = {option["id"]: option for option in q["options"]}
            chosen = set(answer) if isinstance(answer, list) else {answer}
            item.choices = [Choice(oid, options[oid]["text"], oid in chosen) for oid in q["order"]]
        elif q["type"] == "ordering":
            texts = {entry["id"]: entry["text"] for entry in q["items"]}
            placed = {item_id: n for n, item_id in enumerate(answer or [], start=1)}
            item.rows = [
                {"id": iid, "text": texts[iid], "selected": placed.get(iid)} for iid in q["order"]
            ]
            item.positions = list(range(1, len(q["order"]) + 1))
        elif q["type"] == "matching":
            pairs = {pair["id"]: pair for pair in q["pairs"]}
            chosen = answer or {}
            item.rows = [
                {"id": pid, "text": pairs[pid]["prompt"], "selected": chosen.get(pid)}
                for pid in sorted(pairs, key=lambda pid: [p["id"] for p in q["pairs"]].index(pid))
            ]
            item.choices = [Choice(pid, pairs[pid]["match"]) for pid in q["order"]]
        else:
            item.text_answer = answer or ""
        questions.append(item)
    return questions


@dataclass
class ReviewQuestion:
    number: int
    type: str
    text: str
    grade: grading.Grade
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
    if attempt.review_policy == "after_each":
        return True
    if attempt.review_policy == "after_pass":
        return bool(attempt.passed)
    return False


def attempt_review(attempt) -> list[ReviewQuestion]:
    """The submitted attempt, question by question; correct answers, feedback and
    explanations only where the quiz's review policy allows."""
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
                grade=grading.grade(q, answer),
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
    """Enrolment id -> its quiz attempts, for the learner's download (one query)."""
    from .models import Attempt

    result: dict[int, list[dict]] = {}
    for a in Attempt.objects.filter(enrolment__in=enrolments).order_by("started_at", "pk"):
        result.setdefault(a.enrolment_id, []).append(
            {
                "quiz_key": str(a.placement_key),
                "number": a.number,
                "started_at": a.started_at.isoformat(),
                "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                "answers": a.answers,
                "score": a.score,
                "max_score": a.max_score,
                "percent": a.percent,
                "passed": a.passed,
            }
        )
    return result
