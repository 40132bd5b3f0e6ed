"""Names, shares and rates the generated data set is drawn from."""

from __future__ import annotations

from elearning.accounts.models import RoleCategory
from elearning.organisations.models import Organisation

DOMAIN = "generated.example"
MANAGER_PASSWORD = "folkhalsa-generated"
CHUNK = 5_000  # learners per round of COPY statements: bounded memory, big batches
MAX_COURSES = 3


class GenerateError(Exception):
    """The data set cannot be generated as asked; the message says why."""


# --- Names and weights -----------------------------------------------------------------------

FIRST_NAMES = (
    "Anna Eva Maria Karin Sara Lena Emma Kerstin Ingrid Malin Linnéa Elin Johanna Sofia "
    "Elsa Maja Ida Hanna Julia Amanda Louise Helena Camilla Marie Annika Ulrika Fatima "
    "Lars Mikael Anders Johan Erik Per Karl Peter Thomas Jan Daniel Fredrik Andreas Stefan "
    "Hans Mattias Jonas Magnus Oskar Lucas William Alexander Ali Mohammed Ahmed Nils Olle"
).split()
LAST_NAMES = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson "
    "Lindström Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren "
    "Lundqvist Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Ali "
    "Wallin Mohammed Engström Eklund Danielsson Lundin Håkansson Björk Bergman Gunnarsson "
    "Holm Wikström Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren"
).split()

# Population in thousands of the twelve largest municipalities (kommunkod: weight).
LARGE_MUNICIPALITIES = {
    "0180": 984, "1480": 604, "1280": 362, "0380": 245, "0580": 167, "1880": 160,
    "1980": 158, "1283": 151, "0581": 146, "0680": 145, "2480": 133, "1281": 128,
}  # fmt: skip
# Very small municipalities: few learners, so reports must suppress them in some courses.
SMALL_MUNICIPALITIES = (
    "2403 2422 2425 2506 2463 2513 2418 0512 1445 1447 1438 1860 2417 2518 1864 1863 2021 "
    "1904 0560 0509 0821 1762 1962 2101 2303 2305 2326 2404 2421 2505 2510 2521 2039 0834"
).split()
SMALL_WEIGHT = 0.8
KIND_SHARES = (
    (Organisation.Kind.MUNICIPALITY, 0.80),
    (Organisation.Kind.REGION, 0.13),
    (Organisation.Kind.COUNTY_BOARD, 0.05),
    (Organisation.Kind.NATIONAL, 0.02),
)
ROLE_SHARES = (
    (RoleCategory.ELECTED, 0.20),
    (RoleCategory.OFFICIAL, 0.55),
    (RoleCategory.MANAGER, 0.15),
    (RoleCategory.OTHER, 0.10),
)
COURSE_COUNT_SHARES = ((1, 0.72), (2, 0.20), (3, 0.08))
COURSE_WEIGHTS = (55, 27, 18)
ENGLISH_SHARE = 0.05

# Progress behaviour (see the module docstring).
COMPLETE_SHARE = 0.47
NEVER_STARTED = 0.12
CONTINUE = 0.85
MODULE_QUIZ_ATTEMPTS = ((1, 0.78), (2, 0.17), (3, 0.05))
FINAL_TEST_ATTEMPTS = ((1, 0.65), (2, 0.25), (3, 0.10))
DAYS_PER_LESSON = 0.6  # median days to complete, per lesson
SESSION_BREAK = 0.3  # chance that the learner stops for the day after a step
DAY = 86_400.0
EMPTY = "{}"
