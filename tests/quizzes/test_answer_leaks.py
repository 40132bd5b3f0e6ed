"""Attacks from outside on the promise that nothing served before submit gives an answer away.

For every question type a learner takes many fresh attempts and keeps every response the site
sends before submitting (the quiz page, the start redirect, the attempt form, a save and the
page after it, a refused post, the result address of an open attempt). The tests read only
those responses to guess the answers by every pattern we could think of (names, values, ids,
attributes, hidden fields, token lengths and ranks, the first or last option, the served order
against the correct order, orders and tokens across attempts) and score each guess against
the attempt's stored snapshot, the ground truth. A guess that does better than chance would
show up as an improbable number of hits: each attack must stay within what chance gives with
probability 1e-6 or more.

Then the review policy: the result page and the data download of every policy, before and
after the results may be released.
"""

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from courses.models import ModulePage
from progress.services import enrolment_create
from quizzes.models import Attempt, AttemptAnswer
from quizzes.tokens import token
from tests.factories import course_tree, every_question, quiz_in
from tests.quizzes.conftest import perfect

pytestmark = pytest.mark.django_db

ATTEMPTS = 16
TOKEN = re.compile(r"^[0-9a-f]{16}$")
IMPROBABLE = 1e-6  # a guess this unlikely under chance is a leak


# --- the questions: several of each type, with texts that are unique within a question -----


def _single(text, options, right):
    return {
        "type": "single_choice",
        "value": {
            "text": text,
            "points": 1,
            "options": [
                {"text": o, "correct": n == right, "feedback": f"Om {o}."}
                for n, o in enumerate(options)
            ],
            "explanation": "<p>Förklaring.</p>",
            "tag": "",
        },
    }


QUESTIONS = {
    "single": [
        _single("Vilket år ska målet nås?", ["2030", "2048", "2060", "2100"], 1),
        _single("Hur många målområden?", ["8", "11", "17", "28"], 0),
        _single("Hur många indikatorer?", ["12", "21", "28", "35"], 3),
    ],
    "multiple": [
        {
            "type": "multiple_response",
            "value": {
                "text": text,
                "points": 2,
                "scoring": "partial",
                "options": [
                    {"text": o, "correct": n in right, "feedback": ""} for n, o in enumerate(opts)
                ],
                "explanation": "",
                "tag": "",
            },
        }
        for text, opts, right in (
            ("Vilka är aktörer?", ["Kommun", "Region", "Bank", "Klubb", "Butik"], {0, 1}),
            ("Vilka är mått?", ["Vikt", "Färg", "Ålder", "Smak", "Längd"], {2, 4}),
        )
    ],
    "true_false": [
        {
            "type": "true_false",
            "value": {
                "text": text,
                "points": 1,
                "correct": truth,
                "feedback_true": "Om sant.",
                "feedback_false": "Om falskt.",
                "explanation": "",
                "tag": "",
            },
        }
        for text, truth in (
            ("Politiken berör de flesta sektorer.", True),
            ("Målet gäller bara kommuner.", False),
            ("Regionerna är 21.", True),
            ("Länsstyrelserna är 290.", False),
        )
    ],
    "ordering": [
        {
            "type": "ordering",
            "value": {"text": text, "points": 2, "items": items, "explanation": "", "tag": ""},
        }
        for text, items in (
            ("Från lokal till nationell nivå.", ["Kommun", "Region", "Stat", "EU"]),
            ("Från minst till störst.", ["Ett", "Tio", "Hundra", "Tusen"]),
            ("Vad kommer först?", ["Planera", "Följa upp"]),
        )
    ],
    "matching": [
        {
            "type": "matching",
            "value": {
                "text": text,
                "points": 2,
                "pairs": [{"prompt": p, "match": m} for p, m in pairs],
                "explanation": "",
                "tag": "",
            },
        }
        for text, pairs in (
            (
                "Para ihop aktör och roll.",
                [
                    ("Folkhälsomyndigheten", "Kunskapsstyrning"),
                    ("Länsstyrelsen", "Regional samordning"),
                    ("SKR", "Nätverk"),
                    ("Kommunen", "Lokalt arbete"),
                ],
            ),
            (
                "Para ihop tal och ord.",
                [("1", "ett"), ("2", "två"), ("3", "tre"), ("4", "fyra")],
            ),
        )
    ],
    "reflection": [
        {"type": "reflection", "value": {"text": "Vad betyder målet för dig?", "tag": ""}},
        {"type": "reflection", "value": {"text": "Vad vill du lära dig mer om?", "tag": ""}},
    ],
}


# --- reading what was served ----------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict
    fieldset: str | None
    select: str | None
    text: str = ""


class Page(HTMLParser):
    """Every element of a served page with its attributes, the question (fieldset) and menu
    it sits in, and the text of labels, menu options and legends."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.comments: list[str] = []
        self._fieldset = None
        self._select = None
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            self._fieldset = attrs.get("id")
        element = Element(tag, attrs, self._fieldset, self._select)
        if tag == "select":
            self._select = attrs.get("name")
            element.select = self._select
        self.elements.append(element)
        if tag in ("label", "option", "legend"):
            self._open.append(element)

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self._fieldset = None
        if tag == "select":
            self._select = None
        if self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            self._open[-1].text += data

    def handle_comment(self, data):
        self.comments.append(data)

    def label(self, for_id: str) -> str:
        return next(
            e.text.strip()
            for e in self.elements
            if e.tag == "label" and e.attrs.get("for") == for_id
        )

    def in_question(self, number: int) -> list[Element]:
        return [e for e in self.elements if e.fieldset == f"question-{number}"]


@dataclass
class Served:
    """One fresh attempt as an attacker sees it, and its snapshot (never read by attacks)."""

    responses: list[str]  # every body and redirect address before submit
    form: Page
    snapshot: list[dict]


def serve(client, page, attempts=ATTEMPTS) -> list[Served]:
    """``attempts`` fresh attempts, keeping everything served before each submit."""
    served = []
    for _ in range(attempts):
        responses = [client.get(page.url).content.decode()]
        start = client.post(f"/sv/quiz/{page.pk}/starta/")
        assert start.status_code == 302
        responses.append(start["Location"])
        form_html = client.get(start["Location"]).content.decode()
        responses.append(form_html)
        saved = client.post(start["Location"], {"action": "save"})
        responses.append(saved["Location"])
        responses.append(client.get(saved["Location"]).content.decode())
        refused = client.post(start["Location"], {"action": "peek"})
        assert refused.status_code == 400
        responses.append(refused.content.decode())
        result = client.get(f"{start['Location']}resultat/")
        responses.append(result["Location"])
        attempt = Attempt.objects.latest("pk")
        assert attempt.is_open
        served.append(Served(responses, Page(form_html), attempt.questions))
        assert client.post(start["Location"], {"action": "submit"}).status_code == 302
    return served


@pytest.fixture
def take(client, make_user, site):
    """A learner who can take a quiz of the given questions as often as they like."""

    def take_quiz(questions, *, slug="lacka", **settings):
        course, _lessons = course_tree(modules=1, lessons_per_module=1, slug=f"kurs-{slug}")
        module = ModulePage.objects.child_of(course).get()
        settings = {"shuffle_options": True, "review_policy": "after_each", **settings}
        _quiz, page = quiz_in(module, questions=questions, slug=slug, **settings)
        learner = make_user(email=f"{slug}@example.org")
        enrolment_create(user=learner, course=course)
        client.force_login(learner)
        return page

    return take_quiz


# --- keeping score of the attacks -----------------------------------------------------------


def tail(trials: int, hits: int, chance: float) -> float:
    """P(at least ``hits`` of ``trials``) when each hit has probability ``chance``."""
    if hits == 0:
        return 1.0
    if chance <= 0:
        return 0.0
    return math.fsum(
        math.comb(trials, k) * chance**k * (1 - chance) ** (trials - k)
        for k in range(hits, trials + 1)
    )


@dataclass
class Tally:
    trials: int = 0
    hits: int = 0
    chance: float = 0.0

    def add(self, hit: bool, chance: float):
        self.trials += 1
        self.hits += bool(hit)
        self.chance = max(self.chance, chance)


@dataclass
class Attacks:
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def guess(self, name: str, hit: bool, chance: float):
        self.tallies[name].add(hit, chance)

    def assert_nothing_derived(self):
        assert self.tallies, "no attack was tried"
        for name, t in self.tallies.items():
            assert t.trials >= ATTEMPTS - 1, name
            p = tail(t.trials, t.hits, t.chance)
            assert p >= IMPROBABLE, (
                f"the attack '{name}' guessed {t.hits} of {t.trials} (chance {t.chance:.3f}, "
                f"p = {p:.2e}): what is served gives the answer away"
            )


def rank(values: list[str]) -> list[int]:
    """The rank of each value among ``values`` (0 = smallest)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0] * len(values)
    for r, i in enumerate(order):
        ranks[i] = r
    return ranks


def common_prefix(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def closest(target: str, candidates: list[str], measure) -> str:
    return max(candidates, key=lambda c: measure(target, c))


# --- what holds for every served attempt, whatever the type ---------------------------------


def stable_ids(snapshot: list[dict]) -> set[str]:
    """The ids that are the same in every attempt (for true/false: "true" and "false")."""
    return {
        entry["id"]
        for q in snapshot
        for key in ("options", "items", "pairs")
        for entry in q.get(key, [])
    }


def _position(value: str) -> bool:
    """An ordering menu's position (1, 2, …), not a token: a token may be all digits too
    (16 hex digits are all 0-9 about once in 1,800), which an ``isdigit`` test mistook for a
    position once in CI."""
    return value.isdigit() and len(value) <= 4


def tokens_served(served: Served) -> list[str]:
    """Every token the form carries: choice values, item and prompt field names, matches."""
    found = []
    for e in served.form.elements:
        name = e.attrs.get("name") or ""
        if e.tag == "input" and e.attrs.get("type") in ("radio", "checkbox"):
            found.append(e.attrs["value"])
        elif e.tag == "select":
            found.append(name.rsplit("-", 1)[1])
        elif e.tag == "option" and e.attrs.get("value") and not _position(e.attrs["value"]):
            found.append(e.attrs["value"])
    return found


def assert_nothing_in_the_markup(all_served: list[Served]):
    seen_before: set[str] = set()
    for served in all_served:
        text = "\n".join(served.responses)
        for stable in stable_ids(served.snapshot) - {"true", "false"}:
            assert stable not in text, "a stable id was served"
        assert not re.search(r"""(value|name|id)="[^"]*\b(true|false)\b""", text, re.I)
        assert not re.search(r"correct|rätt svar|feedback", text, re.I)
        for q in served.snapshot:  # no feedback or explanation text before submit
            for option in q.get("options", []):
                assert not option["feedback"] or option["feedback"] not in text
            assert not q.get("explanation") or q["explanation"] not in text
        form = served.form
        assert not form.comments
        assert not any(e.tag == "script" for e in form.elements)
        hidden = [e.attrs.get("name") for e in form.elements if e.attrs.get("type") == "hidden"]
        assert set(hidden) == {"csrfmiddlewaretoken"}  # the quiz form's and the sign-out's
        for e in form.elements:
            assert not any(a.startswith("data-") for a in e.attrs), e
            assert "checked" not in e.attrs and "selected" not in e.attrs, e  # a fresh attempt
        # Tokens: one length and alphabet, unique in the attempt, never seen in another.
        tokens = tokens_served(served)
        assert tokens and all(TOKEN.match(t) for t in tokens), tokens
        assert len(Counter(tokens)) == len(tokens) - _repeats(served)
        assert not seen_before & set(tokens), "a token came back in another attempt"
        seen_before |= set(tokens)


def _repeats(served: Served) -> int:
    """Matches are listed once in every prompt's menu: the expected repeats of a token."""
    count = 0
    for q in served.snapshot:
        if q["type"] == "matching":
            count += len(q["pairs"]) * (len(q["pairs"]) - 1)
    return count


def assert_alike(elements: list[Element], *, varying=("value", "id", "for", "name")):
    """The elements differ in nothing but the attributes named ``varying``."""
    shapes = {
        (e.tag, tuple(sorted((k, v) for k, v in e.attrs.items() if k not in varying)))
        for e in elements
    }
    assert len(shapes) == 1, shapes


# --- choice questions: single, multiple, true/false -----------------------------------------


def choice_rows(served: Served, number: int):
    """The options of question ``number`` as served: (value, label text, input element)."""
    inputs = [
        e
        for e in served.form.in_question(number)
        if e.tag == "input" and e.attrs.get("type") in ("radio", "checkbox")
    ]
    assert_alike(inputs)
    assert_alike([e for e in served.form.in_question(number) if e.tag == "label"], varying=("for",))
    return [(e.attrs["value"], served.form.label(e.attrs["id"]), e) for e in inputs]


def attack_choices(all_served: list[Served], kind: str) -> Attacks:
    attacks = Attacks()
    previous: dict[str, dict[str, int]] = {}
    for served in all_served:
        for number, q in enumerate(served.snapshot, start=1):
            if q["type"] != kind:
                continue
            rows = choice_rows(served, number)
            values = [value for value, _text, _e in rows]
            right_texts = {o["text"] for o in q["options"] if o["correct"]}
            right = {value for value, text, _e in rows if text in right_texts}
            k, m = len(rows), len(right)
            chance = m / k  # one option guessed to be (one of the) right

            def one(name, value, chance=chance, right=right):
                attacks.guess(name, value in right, chance)

            for position in range(k):
                one(f"{kind}: option {position + 1}", values[position])
            one(f"{kind}: the last option", values[-1])
            ranks = rank(values)
            one(f"{kind}: the smallest value", values[ranks.index(0)])
            one(f"{kind}: the largest value", values[ranks.index(k - 1)])
            lengths = Counter(len(v) for v in values)
            one(
                f"{kind}: the value of odd length",
                next((v for v in values if lengths[len(v)] == 1), ""),
            )
            one(
                f"{kind}: value rank equal to position",
                next((v for v, r in zip(values, ranks, strict=True) if r == values.index(v)), ""),
            )
            one(
                f"{kind}: the value with the most digits",
                max(values, key=lambda v: sum(c.isdigit() for c in v)),
            )
            # Across attempts: the option that kept its place from the previous attempt.
            places = {text: n for n, (_v, text, _e) in enumerate(rows)}
            before = previous.get(q["id"])
            if before is not None:
                kept = [values[n] for text, n in places.items() if before.get(text) == n]
                one(f"{kind}: the option that kept its place", kept[0] if kept else "")
            previous[q["id"]] = places
            # Whole answers for several right options: every run of first or last options.
            if kind == "multiple":
                sets = math.comb(k, m)
                for size in range(1, k):
                    attacks.guess(
                        f"multiple: the first {size}", set(values[:size]) == right, 1 / sets
                    )
                    attacks.guess(
                        f"multiple: the last {size}", set(values[-size:]) == right, 1 / sets
                    )
    return attacks


# --- ordering -------------------------------------------------------------------------------


def ordering_rows(served: Served, number: int, q: dict):
    """(item token, label text, correct position 1..n) in served order."""
    selects = [e for e in served.form.in_question(number) if e.tag == "select"]
    assert_alike(selects)
    correct = {item["text"]: n for n, item in enumerate(q["items"], start=1)}
    rows = []
    for e in selects:
        menu = [o.attrs["value"] for o in served.form.elements if o.select == e.attrs["name"]
                and o.tag == "option"]  # fmt: skip
        assert menu == [""] + [str(n) for n in range(1, len(selects) + 1)]
        text = served.form.label(e.attrs["id"])
        rows.append((e.attrs["name"].rsplit("-", 1)[1], text, correct[text]))
    return rows


def attack_ordering(all_served: list[Served]) -> Attacks:
    attacks = Attacks()
    orders: dict[str, Counter] = defaultdict(Counter)
    for served in all_served:
        for number, q in enumerate(served.snapshot, start=1):
            if q["type"] != "ordering":
                continue
            rows = ordering_rows(served, number, q)
            n = len(rows)
            truth = [position for _t, _x, position in rows]
            tokens = [t for t, _x, _p in rows]
            orders[q["id"]][tuple(text for _t, text, _p in rows)] += 1
            guesses = {
                "as served": list(range(1, n + 1)),
                "reversed": list(range(n, 0, -1)),
                "by token": [r + 1 for r in rank(tokens)],
                "by token, reversed": [n - r for r in rank(tokens)],
            }
            for shift in range(1, n):
                guesses[f"served, shifted by {shift}"] = [(i + shift) % n + 1 for i in range(n)]
            for name, guess in guesses.items():
                attacks.guess(f"ordering: {name}", guess == truth, 1 / math.factorial(n))
                for given, wanted in zip(guess, truth, strict=True):
                    attacks.guess(f"ordering, one item: {name}", given == wanted, 1 / n)
    for counts in orders.values():  # the served order changes from attempt to attempt
        assert len(counts) > 1
    return attacks


# --- matching -------------------------------------------------------------------------------


def matching_rows(served: Served, number: int, q: dict):
    """The prompts (token, text) in served order, the menu (value, text) every prompt
    offers, and the right match's value for each prompt."""
    selects = [e for e in served.form.in_question(number) if e.tag == "select"]
    assert_alike(selects)
    menus = []
    for e in selects:
        options = [
            o for o in served.form.elements if o.tag == "option" and o.select == e.attrs["name"]
        ]
        assert_alike(options[1:])
        menus.append([(o.attrs["value"], o.text.strip()) for o in options if o.attrs["value"]])
    assert all(menu == menus[0] for menu in menus)  # one menu, the same for every prompt
    menu = menus[0]
    prompts = [
        (e.attrs["name"].rsplit("-", 1)[1], served.form.label(e.attrs["id"])) for e in selects
    ]
    answer = {pair["prompt"]: pair["match"] for pair in q["pairs"]}
    by_text = {text: value for value, text in menu}
    right = [by_text[answer[text]] for _t, text in prompts]
    return prompts, menu, right


def attack_matching(all_served: list[Served]) -> Attacks:
    attacks = Attacks()
    menus: dict[str, Counter] = defaultdict(Counter)
    for served in all_served:
        for number, q in enumerate(served.snapshot, start=1):
            if q["type"] != "matching":
                continue
            prompts, menu, right = matching_rows(served, number, q)
            n = len(prompts)
            prompt_tokens = [t for t, _x in prompts]
            values = [v for v, _x in menu]
            menus[q["id"]][tuple(text for _v, text in menu)] += 1
            prompt_ranks, value_ranks = rank(prompt_tokens), rank(values)
            guesses = {
                "same place in the menu": values,
                "reversed place": values[::-1],
                "same rank of token": [values[value_ranks.index(r)] for r in prompt_ranks],
                "reversed rank of token": [
                    values[value_ranks.index(n - 1 - r)] for r in prompt_ranks
                ],
                "value equal to the prompt's token": [
                    t if t in values else "" for t in prompt_tokens
                ],
                "longest common prefix": [closest(t, values, common_prefix) for t in prompt_tokens],
                "longest common suffix": [
                    closest(t, values, lambda a, b: common_prefix(a[::-1], b[::-1]))
                    for t in prompt_tokens
                ],
            }
            for shift in range(1, n):
                guesses[f"place shifted by {shift}"] = values[shift:] + values[:shift]
            for name, guess in guesses.items():
                attacks.guess(f"matching: {name}", guess == right, 1 / math.factorial(n))
                for given, wanted in zip(guess, right, strict=True):
                    attacks.guess(f"matching, one prompt: {name}", given == wanted, 1 / n)
    for counts in menus.values():  # the menu's order changes from attempt to attempt
        assert len(counts) > 1
    return attacks


# --- one test per question type -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["single", "multiple", "true_false"])
def test_choice_questions_give_nothing_away(client, take, kind):
    served = serve(client, take(QUESTIONS[kind]))
    assert_nothing_in_the_markup(served)
    attack_choices(served, kind).assert_nothing_derived()
    if kind != "true_false":  # shuffled: the right option moves from attempt to attempt
        for number in range(1, len(QUESTIONS[kind]) + 1):
            places = set()
            for s in served:
                right = {o["text"] for o in s.snapshot[number - 1]["options"] if o["correct"]}
                rows = choice_rows(s, number)
                places.add(tuple(n for n, (_v, text, _e) in enumerate(rows) if text in right))
            assert len(places) > 1


def test_ordering_questions_give_nothing_away(client, take):
    served = serve(client, take(QUESTIONS["ordering"]))
    assert_nothing_in_the_markup(served)
    attack_ordering(served).assert_nothing_derived()


def test_matching_questions_give_nothing_away(client, take):
    served = serve(client, take(QUESTIONS["matching"]))
    assert_nothing_in_the_markup(served)
    attack_matching(served).assert_nothing_derived()


def test_reflection_questions_serve_only_an_empty_text_box(client, take):
    served = serve(client, take(QUESTIONS["reflection"]), attempts=3)
    for s in served:
        fields = [e for e in s.form.elements if e.attrs.get("name", "").startswith("q-")]
        assert [e.tag for e in fields] == ["textarea", "textarea"]
        assert [e.attrs["name"] for e in fields] == [f"q-{q['id']}" for q in s.snapshot]
        hidden = [e.attrs.get("name") for e in s.form.elements if e.attrs.get("type") == "hidden"]
        assert set(hidden) == {"csrfmiddlewaretoken"}  # the quiz form's and the sign-out's


def test_a_quiz_of_every_type_at_once_gives_nothing_away(client, take):
    """The types side by side: tokens unique across questions, every attack still blind."""
    mixed = [QUESTIONS[kind][0] for kind in QUESTIONS] + [QUESTIONS["true_false"][1]]
    served = serve(client, take(mixed, shuffle_questions=True))
    assert_nothing_in_the_markup(served)
    for attacks in (
        attack_choices(served, "single"),
        attack_choices(served, "multiple"),
        attack_choices(served, "true_false"),
        attack_ordering(served),
        attack_matching(served),
    ):
        attacks.assert_nothing_derived()


# --- answering by the old leaking patterns, and forged tokens -------------------------------


def _post(client, attempt, data):
    return client.post(f"/sv/quiz/forsok/{attempt.pk}/", {**data, "action": "submit"})


def test_the_old_leaking_patterns_never_score_full_marks(client, take):
    """The old form named a matching prompt by its answer's id, valued true/false options
    "true"/"false" and named options by stable ids; ordering was never served in the correct
    order. Answering by those patterns is refused now, or scores what chance gives."""
    page = take(every_question())
    attacks = Attacks()
    for _ in range(ATTEMPTS):
        start = client.post(f"/sv/quiz/{page.pk}/starta/")
        attempt = Attempt.objects.latest("pk")
        html = client.get(start["Location"]).content.decode()
        single, multiple, truth, ordering, matching, _reflection = attempt.questions
        old_patterns = [
            {f"q-{matching['id']}-{p['id']}": p["id"] for p in matching["pairs"]},
            {
                f"q-{matching['id']}-{token(p, 'prompt_token')}": token(p, "prompt_token")
                for p in matching["pairs"]
            },
            {f"q-{truth['id']}": "true" if truth["options"][0]["correct"] else "false"},
            {f"q-{single['id']}": next(o["id"] for o in single["options"] if o["correct"])},
            {f"q-{multiple['id']}": [o["id"] for o in multiple["options"] if o["correct"]]},
            {
                f"q-{ordering['id']}-{item['id']}": str(k)
                for k, item in enumerate(ordering["items"], 1)
            },
        ]
        for data in old_patterns:
            response = _post(client, attempt, data)
            assert response.status_code == 400
            assert Attempt.objects.get(pk=attempt.pk).is_open
        # What is left: read the served form top to bottom (positions 1..n in the served
        # order, the n-th menu entry for the n-th prompt, the first option of each choice).
        form = Page(html)
        data = {}
        for number, q in enumerate(attempt.questions, start=1):
            fields = [e for e in form.in_question(number) if e.tag in ("input", "select")]
            if q["type"] in ("single", "true_false", "multiple"):
                data[fields[0].attrs["name"]] = fields[0].attrs["value"]
            elif q["type"] == "ordering":
                for k, e in enumerate(fields, start=1):
                    data[e.attrs["name"]] = str(k)
            elif q["type"] == "matching":
                values = [
                    o.attrs["value"]
                    for o in form.elements
                    if o.tag == "option"
                    and o.select == fields[0].attrs["name"]
                    and o.attrs["value"]
                ]
                for e, value in zip(fields, values, strict=True):
                    data[e.attrs["name"]] = value
        assert _post(client, attempt, data).status_code == 302
        graded = {a.question_id: a.correct for a in AttemptAnswer.objects.filter(attempt=attempt)}
        attacks.guess("single: the first option", graded[single["id"]], 1 / 3)
        attacks.guess("ordering: positions as served", graded[ordering["id"]], 1 / 6)
        attacks.guess("matching: the menu in order", graded[matching["id"]], 1 / 6)
        assert not graded[multiple["id"]]  # one option of two right ones
    attacks.assert_nothing_derived()


def test_tokens_of_another_attempt_or_repeated_tokens_are_refused(client, take):
    page = take(every_question())
    client.post(f"/sv/quiz/{page.pk}/starta/")
    first = Attempt.objects.latest("pk")
    first_perfect = perfect(first)
    _post(client, first, {})
    client.post(f"/sv/quiz/{page.pk}/starta/")
    second = Attempt.objects.latest("pk")
    assert second.pk != first.pk
    single = second.questions[0]
    forged = [
        first_perfect,  # the whole perfect answer of the first attempt
        {f"q-{single['id']}": first_perfect[f"q-{single['id']}"]},
        {f"q-{single['id']}": [token(single["options"][0])] * 2},
        {f"q-{second.questions[1]['id']}": [token(second.questions[1]["options"][0])] * 2},
    ]
    for data in forged:
        response = _post(client, second, data)
        assert response.status_code == 400, data
        fresh = Attempt.objects.get(pk=second.pk)
        assert fresh.is_open and fresh.score is None and fresh.answers == {}
    # The same match for every prompt is a (wrong) answer, never credit beyond one prompt.
    matching = second.questions[4]
    same = token(matching["pairs"][0], "match_token")
    data = {f"q-{matching['id']}-{token(p, 'prompt_token')}": same for p in matching["pairs"]}
    assert _post(client, second, data).status_code == 302
    second.refresh_from_db()
    assert second.score == pytest.approx(2 / 3, abs=1e-3)  # 1 of 3 prompts: 2 points × 1/3


def test_an_open_attempt_started_before_tokens_gets_them_and_old_results_stay(client, take):
    """Attempts stored in the old format (no tokens): an open one is served with fresh tokens,
    its saved answers kept; a submitted one keeps its result and review."""
    page = take(every_question())
    client.post(f"/sv/quiz/{page.pk}/starta/")
    old = Attempt.objects.latest("pk")
    old_format = old.questions
    for q in old_format:
        for entry in q.get("options", []) + q.get("items", []):
            del entry["token"]
        for pair in q.get("pairs", []):
            del pair["prompt_token"], pair["match_token"]
    Attempt.objects.filter(pk=old.pk).update(questions=old_format)
    single, matching = old_format[0], old_format[4]
    right = next(o["id"] for o in single["options"] if o["correct"])
    # A post in the old form still counts while the old form is what was served ...
    response = client.post(
        f"/sv/quiz/forsok/{old.pk}/",
        {f"q-{matching['id']}-{p['id']}": p["id"] for p in matching["pairs"]}
        | {f"q-{single['id']}": right, "action": "save"},
    )
    assert response.status_code == 302
    # ... but the next time the form is served it has tokens, and the answers stay.
    html = client.get(f"/sv/quiz/forsok/{old.pk}/").content.decode()
    upgraded = Attempt.objects.get(pk=old.pk)
    assert all(o.get("token") for o in upgraded.questions[0]["options"])
    assert all(
        p.get("prompt_token") and p.get("match_token") for p in upgraded.questions[4]["pairs"]
    )
    for stable in stable_ids(upgraded.questions) - {"true", "false"}:
        assert stable not in html
    right_token = next(token(o) for o in upgraded.questions[0]["options"] if o["correct"])
    assert f'value="{right_token}" checked' in html
    assert upgraded.answers[matching["id"]] == {p["id"]: p["id"] for p in matching["pairs"]}
    # A submitted attempt in the old format is reviewed as it was graded.
    client.post(f"/sv/quiz/forsok/{old.pk}/", {**perfect(upgraded), "action": "submit"})
    upgraded.refresh_from_db()
    assert upgraded.percent == 100
    Attempt.objects.filter(pk=old.pk).update(questions=old_format)
    body = client.get(f"/sv/quiz/forsok/{old.pk}/resultat/").content.decode()
    assert "8 av 8 poäng (100 %)" in body and "Rätt svar:" in body
    assert body.count("poäng – rätt") == 5  # every graded question, from the old snapshot


# --- the review policy: result page and data download ---------------------------------------


def some_right(attempt) -> dict:
    """The single choice right and the true/false statement wrong: 1 of 8 points, failed."""
    single, _multiple, truth = attempt.questions[:3]
    return {
        f"q-{single['id']}": next(token(o) for o in single["options"] if o["correct"]),
        f"q-{truth['id']}": next(token(o) for o in truth["options"] if not o["correct"]),
    }


def submit(client, page, data_of) -> Attempt:
    client.post(f"/sv/quiz/{page.pk}/starta/")
    attempt = Attempt.objects.latest("pk")
    assert _post(client, attempt, data_of(attempt)).status_code == 302
    attempt.refresh_from_db()
    return attempt


def review_section(client, attempt) -> str:
    body = client.get(f"/sv/quiz/forsok/{attempt.pk}/resultat/").content.decode()
    assert f"{attempt.score:g} av 8 poäng".replace(".", ",") in body  # the total, always
    return body[body.index('<ol class="review">') : body.index("</ol>", body.index("review"))]


def shows_results(section: str) -> bool:
    """Whether the review tells points or right and wrong per question."""
    told = ["poäng", "– rätt", "inte rätt", "delvis rätt"]
    return any(word in section for word in told)


def shows_answers(section: str) -> bool:
    return "Rätt svar:" in section or "Målet ska nås till 2048." in section


def download(client) -> dict:
    data = json.loads(client.post("/sv/konto/mina-uppgifter/").content)
    [enrolment] = data["enrolments"]
    return enrolment


def downloaded(enrolment, attempt) -> tuple[dict, list[dict]]:
    """The attempt in the download, and its question_answered events."""
    [row] = [a for a in enrolment["attempts"] if a["number"] == attempt.number]
    events = [
        e["details"]
        for e in enrolment["events"]
        if e["kind"] == "question_answered" and e["details"]["attempt"] == attempt.number
    ]
    assert len(events) == 2  # the two questions answered
    return row, events


def assert_download(client, attempt, *, released: bool):
    enrolment = download(client)
    row, events = downloaded(enrolment, attempt)
    # The learner's own answers and the total are always theirs to have, as text.
    single, _multiple, truth = attempt.questions[:3]
    assert row["answers"][single["id"]] == ["2048"]
    assert row["answers"][truth["id"]] == ["Falskt"]
    assert row["score"] == attempt.score and row["passed"] is attempt.passed
    assert row["results_per_question"] is released
    graded = [q for q in row["questions"] if q["type"] != "reflection"]
    assert all(("correct" in q and "points" in q) is released for q in graded)
    # The events never tell right from wrong; the attempt does, once released.
    assert all("correct" not in e and "points" not in e for e in events)
    if released:
        assert [q["correct"] for q in graded] == [True, False, False, False, False]
    # Stable ids would give a matching question away (a prompt shares its answer's id).
    text = json.dumps(enrolment)
    for stable in stable_ids(attempt.questions) - {"true", "false"}:
        assert stable not in text


@pytest.fixture
def final_test(take):
    """A final-test-like quiz: 3 attempts; the policy is set by each test."""

    def make(policy, attempts_allowed=3):
        return take(every_question(), review_policy=policy, attempts_allowed=attempts_allowed)

    return make


def test_after_each_attempt_shows_everything_at_once(client, final_test):
    attempt = submit(client, final_test("after_each"), some_right)
    section = review_section(client, attempt)
    assert shows_results(section) and shows_answers(section)
    assert "1 av 1 poäng – rätt" in section and "0 av 1 poäng – inte rätt" in section
    assert_download(client, attempt, released=True)


def test_only_after_passing_hides_per_question_results_of_a_failed_test(client, final_test):
    """The issue's case: a failed final test, review only after passing, attempts left. A
    learner comparing attempts must not be able to sort right from wrong."""
    page = final_test("after_pass")
    first = submit(client, page, some_right)
    assert not first.passed
    section = review_section(client, first)
    assert not shows_results(section) and not shows_answers(section)
    assert "2048" in section and "Falskt" in section  # what the learner answered
    assert_download(client, first, released=False)
    # Passing the second attempt shows that attempt in full, not the failed one.
    second = submit(client, page, perfect)
    assert second.passed
    assert shows_results(review_section(client, second))
    assert shows_answers(review_section(client, second))
    assert not shows_results(review_section(client, first))
    assert_download(client, first, released=False)
    # With the attempts used up, the learner's own results are theirs; the correct answers
    # of the failed attempts are still not shown.
    third = submit(client, page, some_right)
    for attempt in (first, third):
        section = review_section(client, attempt)
        assert shows_results(section) and not shows_answers(section)
        assert "1 av 1 poäng – rätt" in section and "0 av 1 poäng – inte rätt" in section
        assert_download(client, attempt, released=True)


def test_never_shows_the_correct_answers_and_results_only_when_attempts_are_used_up(
    client, final_test
):
    page = final_test("never", attempts_allowed=2)
    first = submit(client, page, perfect)
    assert first.passed
    section = review_section(client, first)
    assert not shows_results(section) and not shows_answers(section)
    enrolment = download(client)
    [row] = enrolment["attempts"]
    assert row["results_per_question"] is False
    assert all("correct" not in q for q in row["questions"])
    last = submit(client, page, some_right)
    for attempt in (first, last):
        section = review_section(client, attempt)
        assert shows_results(section) and not shows_answers(section)
    assert_download(client, last, released=True)


def test_unlimited_attempts_never_release_a_failed_tests_results(client, final_test):
    page = final_test("after_pass", attempts_allowed=None)
    attempts = [submit(client, page, some_right) for _ in range(3)]
    for attempt in attempts:
        assert not shows_results(review_section(client, attempt))
        assert_download(client, attempt, released=False)


def test_an_open_last_attempt_keeps_the_earlier_results_hidden(client, final_test):
    """The limit is reached the moment the last attempt starts; its results stay hidden
    until it is submitted, or they would help answer it."""
    page = final_test("after_pass", attempts_allowed=2)
    first = submit(client, page, some_right)
    client.post(f"/sv/quiz/{page.pk}/starta/")
    assert Attempt.objects.filter(submitted_at__isnull=True).count() == 1
    assert not shows_results(review_section(client, first))
    assert_download(client, first, released=False)
