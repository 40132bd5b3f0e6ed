"""A password validator for what Django's common-password list misses: a word everyone would
guess, dressed up with digits and signs ("Folkhalsa2026", "Sommar-2024!")."""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The site's own words, as an attacker who reads the front page would try them (folded to
# a-z: å, ä → a, ö → o).
SITE_WORDS = frozenset(
    {
        "folkhalsa",
        "folkhalsan",
        "folkhalso",
        "folkhalsoakademin",
        "folkhalsoarbete",
        "folkhalsomyndigheten",
        "folkhalsopolitik",
        "halsa",
        "halsan",
        "akademin",
        "akademi",
        "academy",
        "publichealth",
        "health",
        "elearning",
        "kurs",
        "kurser",
        "kommun",
        "kommunen",
        "region",
        "regionen",
        "lansstyrelsen",
        "lansstyrelse",
        "sverige",
        "sweden",
        "skr",
        "intyg",
        "losenord",
        "password",
        "admin",
        "wagtail",
    }
)


def _letters(password: str) -> str:
    """The letters of the password, lower case, accents folded (Hälsa → halsa)."""
    decomposed = unicodedata.normalize("NFKD", password.lower())
    return re.sub(r"[^a-z]", "", decomposed.encode("ascii", "ignore").decode())


def _only_words(letters: str, words) -> bool:
    """Whether ``letters`` is one or more of ``words`` run together."""
    if not letters:
        return True
    reachable = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reachable[end] = any(
            reachable[start] and letters[start:end] in words for start in range(end)
        )
    return reachable[-1]


def _own_words(user) -> set[str]:
    """The words of the person's name and of their e-mail address before the @ (Django's
    similarity check compares each of them with the whole password, so "KimStrateg2026"
    slips through it)."""
    if user is None:
        return set()
    email = getattr(user, "email", "") or ""
    values = [getattr(user, "first_name", "") or "", getattr(user, "last_name", "") or ""]
    values.append(email.split("@", 1)[0])  # the person's part, not the organisation's domain
    words = set()
    for value in values:
        for part in re.split(r"[^\w]+|_", value):
            folded = _letters(part)
            if len(folded) >= 2:
                words.add(folded)
    return words


class WordAndDigitsValidator:
    """Refuses a password whose letters are only the site's own words or a common password,
    whatever digits and signs surround them: "Folkhalsa2026" passes the length rule but falls
    to the first guesses. (Django's list compares whole passwords only.)"""

    def __init__(self):
        self._common = CommonPasswordValidator().passwords

    def validate(self, password: str, user=None) -> None:
        letters = _letters(password)
        own = _own_words(user)
        if own and _only_words(letters, SITE_WORDS | own) and not _only_words(letters, SITE_WORDS):
            raise ValidationError(
                _("This password is made of your name or e-mail address. Choose another."),
                code="password_too_similar",
            )
        if _only_words(letters, SITE_WORDS) or letters in self._common:
            raise ValidationError(
                _(
                    "This password is a common word with digits or signs added. "
                    "Use several words of your own, such as a short sentence."
                ),
                code="password_word_and_digits",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be a common word with digits or signs added.")
