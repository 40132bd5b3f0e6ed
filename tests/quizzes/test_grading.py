"""The grading core: pure functions, no database. Examples per question type, then
property-based tests over random snapshots and random (also malformed) answers."""

import copy
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.grading import Grade, grade, grade_attempt, percent

# No example database on disk (keeps the working tree clean), no per-example deadline (a cold
# first example must not flake), and few enough examples that the file runs in seconds.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --- snapshot builders for the examples -----------------------------------------------------


def choice(qtype, correct, wrong=(), points=1, scoring="all_or_nothing"):
    options = [{"id": i, "text": i, "correct": True, "feedback": ""} for i in correct]
    options += [{"id": i, "text": i, "correct": False, "feedback": ""} for i in wrong]
    return {
        "id": f"q-{qtype}",
        "type": qtype,
        "text": "?",
        "points": points,
        "explanation": "",
        "scoring": scoring,
        "options": options,
        "order": [o["id"] for o in reversed(options)],
    }


def true_false(answer_is_true, points=1):
    question = choice("true_false", ["true"], ["false"], points=points)
    if not answer_is_true:
        for option in question["options"]:
            option["correct"] = not option["correct"]
    return question


def ordering(ids, points=1):
    return {
        "id": "q-ordering",
        "type": "ordering",
        "text": "Order these",
        "points": points,
        "explanation": "",
        "items": [{"id": i, "text": i.upper()} for i in ids],
        "order": list(reversed(ids)),
    }


def matching(ids, points=1):
    return {
        "id": "q-matching",
        "type": "matching",
        "text": "Match these",
        "points": points,
        "explanation": "",
        "pairs": [{"id": i, "prompt": f"p{i}", "match": f"m{i}"} for i in ids],
        "order": list(ids),
    }


def reflection():
    return {"id": "q-reflection", "type": "reflection", "text": "Think", "points": 0}


# --- single and true/false ------------------------------------------------------------------


def test_single_right_wrong_unknown_and_no_answer():
    q = choice("single", ["a"], ["b", "c"], points=2)
    assert grade(q, "a") == Grade(points=2.0, max_points=2.0, correct=True, answered=True)
    assert grade(q, "b") == Grade(points=0.0, max_points=2.0, correct=False, answered=True)
    assert grade(q, "zzz") == Grade(points=0.0, max_points=2.0, correct=False, answered=True)
    assert grade(q, None) == Grade(points=0.0, max_points=2.0, correct=False, answered=False)
    assert grade(q, "") == Grade(points=0.0, max_points=2.0, correct=False, answered=False)


@pytest.mark.parametrize("garbage", [1, 1.5, True, ["a"], {"a": "a"}, ("a",), {"a"}, b"a"])
def test_single_garbage_answers_earn_nothing(garbage):
    result = grade(choice("single", ["a"], ["b"]), garbage)
    assert result == Grade(points=0.0, max_points=1.0, correct=False, answered=False)


def test_true_false():
    q = true_false(answer_is_true=False, points=3)
    assert grade(q, "false") == Grade(points=3.0, max_points=3.0, correct=True, answered=True)
    assert grade(q, "true").points == 0.0
    assert grade(q, "True").points == 0.0  # ids are exact
    assert grade(q, None).answered is False
    assert grade(true_false(answer_is_true=True), "true").correct is True


def test_single_does_not_read_the_served_order():
    q = choice("single", ["a"], ["b"])
    q["order"] = ["nonsense"]
    assert grade(q, "a").correct is True


# --- multiple -------------------------------------------------------------------------------


def partial_question(points=4):
    # two correct (a, b), two incorrect (c, d)
    return choice("multiple", ["a", "b"], ["c", "d"], points=points, scoring="partial")


@pytest.mark.parametrize(
    ("answer", "points", "correct"),
    [
        (["a", "b"], 4.0, True),
        (["b", "a"], 4.0, True),
        (["a"], 2.0, False),  # 1/2 - 0/2
        (["a", "c"], 0.0, False),  # 1/2 - 1/2
        (["a", "b", "c"], 2.0, False),  # 2/2 - 1/2
        (["c"], 0.0, False),  # 0 - 1/2, floored at 0
        (["a", "b", "c", "d"], 0.0, False),  # all chosen: 1 - 1
        ([], 0.0, False),  # nothing chosen
    ],
)
def test_multiple_partial_credit(answer, points, correct):
    result = grade(partial_question(), answer)
    assert (result.points, result.max_points, result.correct) == (points, 4.0, correct)


def test_multiple_no_option_chosen_is_unanswered():
    for scoring in ("partial", "all_or_nothing"):
        q = choice("multiple", ["a"], ["b"], scoring=scoring)
        assert grade(q, []) == Grade(points=0.0, max_points=1.0, correct=False, answered=False)
        assert grade(q, None).answered is False


def test_multiple_all_options_chosen_when_every_option_is_correct_is_full_marks():
    for scoring in ("partial", "all_or_nothing"):
        q = choice("multiple", ["a", "b", "c"], [], points=3, scoring=scoring)
        assert grade(q, ["a", "b", "c"]) == Grade(3.0, 3.0, True, True)
        assert grade(q, ["a"]).points == (1.0 if scoring == "partial" else 0.0)


def test_multiple_duplicates_count_once_and_unknown_ids_are_ignored():
    q = partial_question()
    assert grade(q, ["a", "a", "a"]).points == 2.0
    assert grade(q, ["a", "b", "a", "b"]).correct is True
    assert grade(q, ["c", "c"]).points == 0.0
    assert grade(q, ["a", "b", "nope", "nix"]) == Grade(4.0, 4.0, True, True)
    # unknown ids alone: an answer was given, but it earns nothing
    assert grade(q, ["nope"]) == Grade(0.0, 4.0, False, True)
    aon = choice("multiple", ["a", "b"], ["c"])
    assert grade(aon, ["a", "b", "b", "zzz"]).correct is True


def test_all_or_nothing_versus_partial_on_the_same_question():
    aon = choice("multiple", ["a", "b", "c"], ["d", "e"], points=6)
    partial = {**aon, "scoring": "partial"}
    for answer, aon_points, partial_points in [
        (["a", "b", "c"], 6.0, 6.0),
        (["a", "b"], 0.0, 4.0),  # 2/3
        (["a", "b", "c", "d"], 0.0, 3.0),  # 1 - 1/2
        (["a", "d"], 0.0, 0.0),  # 1/3 - 1/2 < 0
        (["a", "b", "c", "d", "e"], 0.0, 0.0),
    ]:
        assert grade(aon, answer).points == aon_points
        assert grade(partial, answer).points == partial_points


def test_missing_scoring_means_all_or_nothing():
    q = choice("multiple", ["a", "b"], ["c"])
    del q["scoring"]
    assert grade(q, ["a"]).points == 0.0
    assert grade(q, ["a", "b"]).points == 1.0


def test_partial_points_are_rounded_to_four_decimals():
    q = choice("multiple", ["a", "b", "c"], ["d"], points=1, scoring="partial")
    assert grade(q, ["a"]).points == 0.3333
    assert grade(q, ["a", "b"]).points == 0.6667


@pytest.mark.parametrize("garbage", ["a", 7, {"a": True}, [1, None, ["a"], {"a": 1}], object()])
def test_multiple_garbage_answers_earn_nothing(garbage):
    result = grade(partial_question(), garbage)
    assert result.points == 0.0 and result.correct is False


# --- ordering -------------------------------------------------------------------------------


def test_ordering_full_and_partial_positions():
    q = ordering(["a", "b", "c", "d"], points=4)
    assert grade(q, ["a", "b", "c", "d"]) == Grade(4.0, 4.0, True, True)
    assert grade(q, ["b", "a", "c", "d"]) == Grade(2.0, 4.0, False, True)
    assert grade(q, ["d", "c", "b", "a"]) == Grade(0.0, 4.0, False, True)
    assert grade(ordering(["a", "b", "c"], points=3), ["c", "b", "a"]).points == 1.0


def test_ordering_served_order_is_not_the_answer():
    q = ordering(["a", "b", "c"])
    assert grade(q, q["order"]).correct is False


@pytest.mark.parametrize(
    "answer",
    [
        ["a", "b"],  # too short
        ["a", "b", "c", "c"],  # too long
        ["a", "b", "c", "x"],  # too long, unknown id
        ["a", "a", "b"],  # right length, duplicate
        ["a", "b", "x"],  # right length, unknown id
        ["a", "b", 3],  # right length, not an id
    ],
)
def test_ordering_not_a_permutation_earns_nothing_but_is_answered(answer):
    assert grade(ordering(["a", "b", "c"]), answer) == Grade(0.0, 1.0, False, True)


@pytest.mark.parametrize("answer", [None, [], (), "abc", 3, {"a": 0}])
def test_ordering_missing_or_malformed_is_unanswered(answer):
    assert grade(ordering(["a", "b", "c"]), answer) == Grade(0.0, 1.0, False, False)


# --- matching -------------------------------------------------------------------------------


def test_matching_full_partial_and_empty():
    q = matching(["x", "y", "z", "w"], points=2)
    perfect = {"x": "x", "y": "y", "z": "z", "w": "w"}
    assert grade(q, perfect) == Grade(2.0, 2.0, True, True)
    assert grade(q, {"x": "x", "y": "z", "z": "y", "w": "w"}) == Grade(1.0, 2.0, False, True)
    assert grade(q, {"x": "x"}) == Grade(0.5, 2.0, False, True)  # partial answer
    assert grade(q, {"x": "y"}) == Grade(0.0, 2.0, False, True)
    assert grade(q, {}) == Grade(0.0, 2.0, False, False)
    assert grade(q, None) == Grade(0.0, 2.0, False, False)


def test_matching_unknown_prompts_and_odd_values_are_ignored():
    q = matching(["x", "y"])
    assert grade(q, {"nope": "nope"}) == Grade(0.0, 1.0, False, False)
    assert grade(q, {"x": "x", "nope": "x", 5: "y"}) == Grade(0.5, 1.0, False, True)
    assert grade(q, {"x": ["x"], "y": None}) == Grade(0.0, 1.0, False, False)
    assert grade(q, [("x", "x"), ("y", "y")]) == Grade(0.0, 1.0, False, False)
    assert grade(q, "x").points == 0.0


def test_matching_one_match_chosen_twice_only_scores_its_own_prompt():
    q = matching(["x", "y"])
    assert grade(q, {"x": "x", "y": "x"}).points == 0.5


# --- reflection and zero-point questions ----------------------------------------------------


def test_reflection_is_never_scored():
    q = reflection()
    assert grade(q, "I learned a lot.") == Grade(0.0, 0.0, False, True)
    assert grade(q, "   \n ") == Grade(0.0, 0.0, False, False)
    assert grade(q, "") == Grade(0.0, 0.0, False, False)
    assert grade(q, None) == Grade(0.0, 0.0, False, False)
    assert grade(q, 42) == Grade(0.0, 0.0, False, False)
    assert grade({**q, "points": 5}, "text").max_points == 0.0


def test_zero_point_questions_give_zero_of_zero_with_correct_as_computed():
    assert grade(choice("single", ["a"], ["b"], points=0), "a") == Grade(0.0, 0.0, True, True)
    assert grade(choice("single", ["a"], ["b"], points=0), "b") == Grade(0.0, 0.0, False, True)
    assert grade(ordering(["a", "b"], points=0), ["a", "b"]).correct is True
    assert grade(matching(["a"], points=0), {"a": "a"}).correct is True


def test_missing_lists_are_empty_and_unknown_types_earn_nothing():
    assert grade({"type": "single", "points": 1}, "a") == Grade(0.0, 1.0, False, True)
    assert grade({"type": "ordering", "points": 1}, ["a"]) == Grade(0.0, 1.0, False, True)
    assert grade({"type": "matching", "points": 1}, {"a": "a"}) == Grade(0.0, 1.0, False, False)
    assert grade({"type": "essay", "points": 2}, "x") == Grade(0.0, 2.0, False, False)


# --- a whole attempt ------------------------------------------------------------------------


def test_grade_attempt_totals_in_question_order():
    questions = [
        choice("single", ["a"], ["b"], points=2),
        {**partial_question(points=4), "id": "q-multi"},
        ordering(["a", "b", "c", "d"], points=4),
        matching(["x", "y"], points=1),
        reflection(),
    ]
    answers = {
        "q-single": "a",  # 2 / 2
        "q-multi": ["a"],  # 2 / 4
        "q-ordering": ["b", "a", "c", "d"],  # 2 / 4
        # q-matching missing  -> 0 / 1
        "q-reflection": "Some thoughts",
        "not-a-question": "ignored",
    }
    grades, total, total_max = grade_attempt(questions, answers)
    assert [g.points for g in grades] == [2.0, 2.0, 2.0, 0.0, 0.0]
    assert [g.answered for g in grades] == [True, True, True, False, True]
    assert (total, total_max) == (6.0, 11.0)
    assert percent(total, total_max) == 54.55


def test_grade_attempt_with_no_answers_and_no_questions():
    grades, total, total_max = grade_attempt([choice("single", ["a"], ["b"])], {})
    assert (grades[0].answered, total, total_max) == (False, 0.0, 1.0)
    assert grade_attempt([], {}) == ([], 0.0, 0.0)


def test_percent():
    assert percent(0, 10) == 0.0
    assert percent(10, 10) == 100.0
    assert percent(1, 3) == 33.33
    assert percent(2, 3) == 66.67
    assert percent(0, 0) == 100.0  # an all-reflection quiz
    assert percent(*grade_attempt([reflection()], {"q-reflection": ""})[1:]) == 100.0


# --- property-based -------------------------------------------------------------------------

ids = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=8)
points = st.integers(min_value=0, max_value=100)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
garbage = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@st.composite
def choice_questions(draw, qtype):
    option_ids = draw(st.lists(ids, min_size=1, max_size=7, unique=True))
    flags = draw(st.lists(st.booleans(), min_size=len(option_ids), max_size=len(option_ids)))
    if qtype == "single":
        right = draw(st.integers(0, len(option_ids) - 1))
        flags = [i == right for i in range(len(flags))]
    elif not any(flags):
        flags[draw(st.integers(0, len(flags) - 1))] = True
    options = [
        {"id": i, "text": f"Option {i}", "correct": c, "feedback": ""}
        for i, c in zip(option_ids, flags, strict=True)
    ]
    return {
        "id": draw(ids),
        "type": qtype,
        "text": "?",
        "points": draw(points),
        "explanation": "",
        "scoring": draw(st.sampled_from(["all_or_nothing", "partial"])),
        "options": options,
        "order": draw(st.permutations(option_ids)),
    }


@st.composite
def true_false_questions(draw):
    truth = draw(st.booleans())
    return {
        "id": draw(ids),
        "type": "true_false",
        "text": "?",
        "points": draw(points),
        "explanation": "",
        "options": [
            {"id": "true", "text": "True", "correct": truth, "feedback": ""},
            {"id": "false", "text": "False", "correct": not truth, "feedback": ""},
        ],
        "order": ["true", "false"],
    }


@st.composite
def ordering_questions(draw):
    item_ids = draw(st.lists(ids, min_size=1, max_size=8, unique=True))
    return {
        "id": draw(ids),
        "type": "ordering",
        "text": "?",
        "points": draw(points),
        "explanation": "",
        "items": [{"id": i, "text": i} for i in item_ids],
        "order": draw(st.permutations(item_ids)),
    }


@st.composite
def matching_questions(draw):
    pair_ids = draw(st.lists(ids, min_size=1, max_size=8, unique=True))
    return {
        "id": draw(ids),
        "type": "matching",
        "text": "?",
        "points": draw(points),
        "explanation": "",
        "pairs": [{"id": i, "prompt": f"p{i}", "match": f"m{i}"} for i in pair_ids],
        "order": draw(st.permutations(pair_ids)),
    }


@st.composite
def reflection_questions(draw):
    return {"id": draw(ids), "type": "reflection", "text": "?", "points": 0, "explanation": ""}


questions = st.one_of(
    choice_questions("single"),
    choice_questions("multiple"),
    true_false_questions(),
    ordering_questions(),
    matching_questions(),
    reflection_questions(),
)
scored_questions = st.one_of(
    choice_questions("single"),
    choice_questions("multiple"),
    true_false_questions(),
    ordering_questions(),
    matching_questions(),
)


def known_ids(question):
    return [e["id"] for key in ("options", "items", "pairs") for e in question.get(key, [])]


def perfect_answer(question):
    qtype = question["type"]
    if qtype in ("single", "true_false"):
        return next(o["id"] for o in question["options"] if o["correct"])
    if qtype == "multiple":
        return [o["id"] for o in question["options"] if o["correct"]]
    if qtype == "ordering":
        return [item["id"] for item in question["items"]]
    if qtype == "matching":
        return {pair["id"]: pair["id"] for pair in question["pairs"]}
    return "A thought."


@st.composite
def plausible_answers(draw, question):
    """Answers of the right shape built from the snapshot's ids, plus unknown ids."""
    pool = known_ids(question) + draw(st.lists(ids, max_size=3))
    qtype = question["type"]
    if qtype in ("single", "true_false"):
        return draw(st.none() | st.just("") | st.sampled_from(pool))
    if qtype == "multiple":
        return draw(st.lists(st.sampled_from(pool), max_size=10))
    if qtype == "ordering":
        item_ids = known_ids(question)
        return draw(st.permutations(item_ids) | st.lists(st.sampled_from(pool), max_size=10))
    if qtype == "matching":
        return draw(st.dictionaries(st.sampled_from(pool), st.sampled_from(pool)))
    return draw(st.none() | st.text(max_size=20))


@st.composite
def question_and_answer(draw):
    question = draw(questions)
    answer = draw(plausible_answers(question) | garbage)
    return question, answer


@PROPERTY
@given(question_and_answer())
def test_points_always_within_zero_and_max(pair):
    question, answer = pair
    snapshot, given_answer = copy.deepcopy(question), copy.deepcopy(answer)
    result = grade(question, answer)
    assert isinstance(result, Grade)
    assert 0.0 <= result.points <= result.max_points
    assert result.points == round(result.points, 4)
    expected_max = 0.0 if question["type"] == "reflection" else float(question["points"])
    assert result.max_points == expected_max
    if result.correct:
        assert result.points == result.max_points
    if not result.answered:
        assert result.points == 0.0
    # grading reads, never writes
    assert question == snapshot
    assert answer == given_answer or answer != answer  # NaN is never equal to itself


@PROPERTY
@given(scored_questions)
def test_the_perfect_answer_scores_full_marks(question):
    result = grade(question, perfect_answer(question))
    assert result == Grade(
        points=float(question["points"]),
        max_points=float(question["points"]),
        correct=True,
        answered=True,
    )


@PROPERTY
@given(choice_questions("multiple"), st.data())
def test_perfect_multiple_answer_in_any_order_with_duplicates_and_unknown_ids(question, data):
    answer = perfect_answer(question)
    answer = data.draw(st.permutations(answer + answer + ["unknown-id-" * 2]))
    assert grade(question, answer).correct is True


@PROPERTY
@given(choice_questions("multiple"), st.data())
def test_all_or_nothing_never_beats_partial(question, data):
    answer = data.draw(plausible_answers(question))
    aon = grade({**question, "scoring": "all_or_nothing"}, answer)
    partial = grade({**question, "scoring": "partial"}, answer)
    assert aon.points in (0.0, aon.max_points)
    assert aon.points <= partial.points
    assert aon.correct == partial.correct


@PROPERTY
@given(questions, st.data())
def test_served_order_does_not_change_the_grade(question, data):
    answer = data.draw(plausible_answers(question))
    shuffled = {**question, "order": data.draw(st.permutations(question.get("order", [])))}
    assert grade(shuffled, answer) == grade(question, answer)


@settings(PROPERTY, max_examples=100)  # each example is a whole attempt
@given(st.lists(question_and_answer(), max_size=6, unique_by=lambda qa: qa[0]["id"]))
def test_attempt_totals_and_percent(pairs):
    qs = [q for q, _ in pairs]
    answers = {q["id"]: a for q, a in pairs}
    grades, total, total_max = grade_attempt(qs, answers)
    assert grades == [grade(q, a) for q, a in pairs]
    assert total == pytest.approx(sum(g.points for g in grades), abs=1e-9)
    assert total_max == sum(g.max_points for g in grades)
    assert 0.0 <= total <= total_max
    assert 0.0 <= percent(total, total_max) <= 100.0
    if all(g.correct for g in grades if g.max_points):
        assert percent(total, total_max) == 100.0
