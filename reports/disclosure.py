"""Disclosure control of the comparison figures: which figures of the rows that cover
learners outside a manager's scope may be shown, so that no figure, and no difference or sum
of figures, tells the manager anything about 1 to 4 learners outside their organisations.

The manager knows everything inside their scope exactly (their own rows, the learner list),
so what a comparison figure really tells them is its *outside part*: the figure minus what
they see exactly. The rule: a figure is shown only if its outside part covers 0 or at least
``THRESHOLD`` learners, and so does every outside part the manager can work out from shown
figures by subtraction (a comparison figure under one course or role minus the same figure
under another nested one, a total minus the parts shown beside it, enrolled minus started...).

The whole family of comparison figures a manager can ask for is decided at once, from the
data alone, whatever page, filter or export the request is for, so two requests can never be
combined into more than either shows. The family (see ``family_publish``):

- places: the whole country and each county touching the scope;
- courses: all courses together and each course;
- roles: all roles together, and (for the whole country only) each role category;
- statuses: enrolled ⊇ started ⊇ completed, and enrolled ⊇ tested (a final test submitted)
  ⊇ passed; each figure column needs some of them (``COLUMN_NEEDS``): a completion rate
  with the enrolled count gives the completed count, a mean score or pass rate is about the
  tested, a median about the completed.

Narrowing filters (a role on the organisation report, an enrolment date range) are not part
of the family: comparison rows with an outside part are not shown under them at all.

Learners are counted conservatively: a learner enrols at most once in a course, so a group's
enrolments in any one course are distinct learners; the largest such count is a lower bound
of its learners, and the rule is applied to that bound.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

THRESHOLD = 5

STATUSES = ("enrolled", "started", "completed", "tested", "passed")
# Each status's group lies within its parent's.
_PARENT = {"started": "enrolled", "completed": "started", "tested": "enrolled", "passed": "tested"}

# The statuses a figure column tells something about.
COLUMN_NEEDS = {
    "enrolled": ("enrolled",),
    "started": ("started",),
    "completed": ("completed",),
    "completion_rate": ("enrolled", "completed"),
    "pass_rate": ("tested", "passed"),
    "mean_score": ("tested",),
    "median_days": ("completed",),
}

COUNTRY = None  # the place of the whole-country cells
ALL = None  # all courses, all roles


@dataclass(frozen=True)
class Cell:
    """A comparison population: a place (a county id, or COUNTRY), a course key (or ALL) and
    a role category (or ALL)."""

    place: int | None
    course: UUID | None
    role: str | None


def _within(status: str, outer: str) -> bool:
    while status != outer:
        status = _PARENT.get(status)
        if status is None:
            return False
    return True


def _cell_within(inner: Cell, outer: Cell) -> bool:
    return (
        (outer.place is COUNTRY or outer.place == inner.place)
        and (outer.course is ALL or outer.course == inner.course)
        and (outer.role is ALL or outer.role == inner.role)
    )


def _learners(vector: Iterable[int]) -> int:
    """The lower bound of a group's learners: its most enrolments in any one course."""
    return max(vector, default=0)


def is_safe(vector: Iterable[int]) -> bool:
    """Whether a group (enrolments per course) is empty or of at least THRESHOLD learners."""
    learners = _learners(vector)
    return learners == 0 or learners >= THRESHOLD


@dataclass
class Atom:
    """Enrolments outside the scope in one county (or none), course and role category,
    counted per status."""

    county_id: int | None
    course: UUID
    role: str
    counts: dict[str, int]


class Publication:
    """Which (cell, status) of the family may be shown."""

    def __init__(self, published: set[tuple[Cell, str]], present: set[Cell]):
        self._published = published
        self._present = present

    def hidden_columns(self, cell: Cell) -> frozenset[str]:
        """The figure columns of ``cell`` that must not be shown. A cell that has no outside
        enrolments at all is exact."""
        if cell not in self._present:
            return frozenset()
        return frozenset(
            column
            for column, needs in COLUMN_NEEDS.items()
            if any((cell, status) not in self._published for status in needs)
        )


def family_publish(*, atoms: list[Atom], counties: Iterable[int], roles: Iterable[str]):
    """Decide, for the whole family of comparison cells (see the module docstring), which
    statuses may be shown: primary suppression of every group of 1 to 4 learners, then
    secondary suppression until no nested difference, no total minus its known parts and no
    group derivable through such relations is a group of 1 to 4 learners.

    A pure function of the counts, so the answer for the same counts is kept (each report
    page and export asks again; a change of any count is another key)."""
    key = (
        tuple(
            sorted(
                (a.county_id or 0, str(a.course), a.role, *(a.counts[s] for s in STATUSES))
                for a in atoms
            )
        ),
        tuple(sorted(set(counties))),
        tuple(dict.fromkeys(roles)),
    )
    return _publish(key, atoms, key[1], key[2])


_CACHE: dict = {}
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def _publish(key, atoms, counties, roles):
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
    result = _family_publish(atoms=atoms, counties=counties, roles=roles)
    with _CACHE_LOCK:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = result
    return result


def _family_publish(*, atoms: list[Atom], counties, roles):
    counties = list(counties)
    roles = list(roles)
    courses = sorted({atom.course for atom in atoms}, key=str)
    position = {course: index for index, course in enumerate(courses)}
    width = len(courses)

    vectors: dict[tuple[Cell, str], list[int]] = {}

    def add(cell: Cell, atom: Atom):
        for status in STATUSES:
            vector = vectors.setdefault((cell, status), [0] * width)
            vector[position[atom.course]] += atom.counts.get(status, 0)

    county_set = set(counties)
    for atom in atoms:
        for course in (ALL, atom.course):
            add(Cell(COUNTRY, course, ALL), atom)
            add(Cell(COUNTRY, course, atom.role), atom)
            if atom.county_id in county_set:
                add(Cell(atom.county_id, course, ALL), atom)
    present = {cell for cell, _status in vectors}
    quantities = list(vectors)
    # Zero vectors for the cells of the family without outside enrolments, so that every
    # relation has all of its parts.
    for course in (ALL, *courses):
        for cell in (
            Cell(COUNTRY, course, ALL),
            *(Cell(COUNTRY, course, role) for role in roles),
            *(Cell(county, course, ALL) for county in counties),
        ):
            for status in STATUSES:
                if (cell, status) not in vectors:
                    vectors[cell, status] = [0] * width
                    quantities.append((cell, status))

    # Relations: a total and disjoint parts (``complete`` when the parts make up the total).
    relations: list[tuple[tuple[Cell, str], list[tuple[Cell, str]], bool]] = []
    for status in STATUSES:
        for course in (ALL, *courses):
            total = (Cell(COUNTRY, course, ALL), status)
            # The counties touching the scope, and the rest of the country (never shown).
            relations.append(
                (total, [(Cell(county, course, ALL), status) for county in counties], False)
            )
            relations.append(
                (total, [(Cell(COUNTRY, course, role), status) for role in roles], True)
            )
        for place in (COUNTRY, *counties):
            for role in (ALL, *roles) if place is COUNTRY else (ALL,):
                total = (Cell(place, ALL, role), status)
                parts = [(Cell(place, course, role), status) for course in courses]
                relations.append((total, parts, True))

    # From here on a quantity is its index: this runs on every comparison request.
    index = {quantity: number for number, quantity in enumerate(quantities)}
    values = [tuple(vectors[quantity]) for quantity in quantities]
    sizes = [_learners(vector) for vector in values]
    links = [
        (index[total], tuple(index[part] for part in parts), complete)
        for total, parts, complete in relations
    ]
    nested = []
    for (cell, status), outer in index.items():
        places = (cell.place, *counties) if cell.place is COUNTRY else (cell.place,)
        course_options = (cell.course, *courses) if cell.course is ALL else (cell.course,)
        role_options = (cell.role, *roles) if cell.role is ALL else (cell.role,)
        for place, course, role, inner_status in itertools.product(
            places, course_options, role_options, STATUSES
        ):
            inner = index.get((Cell(place, course, role), inner_status))
            if inner is not None and inner != outer and _within(inner_status, status):
                nested.append((outer, inner))

    published = {number for number, vector in enumerate(values) if is_safe(vector)}
    while True:
        known, derived_from = _closure(published, links)
        found, victims = _violations(published, known, derived_from, links, nested, values, sizes)
        if not found:
            return Publication({quantities[number] for number in published}, present)
        if not victims:  # cannot happen (zeros derive only zeros); withhold everything
            return Publication(set(), present)
        published -= victims


def _closure(published, links):
    """Every quantity the manager can work out from the published ones through the
    relations: the one missing part of a complete total, a complete total from its parts."""
    known = set(published)
    derived_from: dict = {}
    changed = True
    while changed:
        changed = False
        for total, parts, complete in links:
            if not complete:
                continue
            missing = [part for part in parts if part not in known]
            if total in known and len(missing) == 1:
                known.add(missing[0])
                derived_from[missing[0]] = (total, parts)
                changed = True
            elif total not in known and not missing:
                known.add(total)
                derived_from[total] = (total, parts)
                changed = True
    return known, derived_from


def _violations(published, known, derived_from, links, nested, values, sizes):
    """(False, ∅) when nothing derivable reveals a group of 1 to 4 learners, else (True,
    the published quantities to withhold next). One victim per violation found, skipping
    violations that involve a victim already chosen in this round (they are looked at
    again in the next): far fewer rounds than one victim at a time, and little more
    withheld."""
    victims: set[int] = set()
    found = False

    def breaker(quantity):
        """A published quantity whose withholding stops ``quantity`` from being derived."""
        if quantity in published:
            return quantity
        total, parts = derived_from[quantity]
        members = [q for q in (*parts, total) if q != quantity and q in published and sizes[q]]
        if members:
            return min(members, key=sizes.__getitem__)
        # Derived through quantities themselves derived: withhold the finest published one
        # (each round withholds more, so this ends, at worst with nothing shown).
        return min((q for q in published if sizes[q]), key=sizes.__getitem__, default=None)

    def withhold(quantity, involved):
        nonlocal found
        found = True
        if victims.isdisjoint(involved):
            victim = breaker(quantity)
            if victim is not None:
                victims.add(victim)

    for quantity in known:
        if not is_safe(values[quantity]):
            withhold(quantity, (quantity,))
    for outer, inner in nested:
        if outer in known and inner in known:
            gap = [a - b for a, b in zip(values[outer], values[inner], strict=True)]
            if not is_safe(gap):
                withhold(inner if sizes[inner] else outer, (outer, inner))
    for total, parts, _complete in links:
        if total not in known:
            continue
        known_parts = [part for part in parts if part in known]
        rest = list(values[total])
        for part in known_parts:
            rest = [a - b for a, b in zip(rest, values[part], strict=True)]
        if not is_safe(rest):
            candidates = [part for part in known_parts if sizes[part]]
            target = min(candidates, key=sizes.__getitem__) if candidates else total
            withhold(target, (total, *known_parts))
    return found, victims


def atoms_from(figures_by_group: dict[tuple, object], roles: Iterable[str]) -> list[Atom]:
    """Atoms from ``selectors.figures_by`` grouped by county id, course key and role; a role
    outside ``roles`` counts as "" (not given), as the role report shows it."""
    roles = set(roles)
    merged: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for (county_id, course, role), figures in figures_by_group.items():
        counts = merged[county_id, course, role if role in roles else ""]
        counts["enrolled"] += figures.enrolled
        counts["started"] += figures.started
        counts["completed"] += figures.completed
        counts["tested"] += figures.tested
        counts["passed"] += figures.passed
    return [
        Atom(county_id, course, role, counts)
        for (county_id, course, role), counts in merged.items()
    ]
