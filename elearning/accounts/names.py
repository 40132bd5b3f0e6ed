"""People's names as the platform stores them: printable text only.

A name is shown on pages, printed on certificates, put into CSV/XLSX exports and e-mail
headers. Control characters in it (a newline, an escape sequence, a bidirectional override
that makes "Anna" read as something else) serve no one and can forge what a reader sees, so
every form that takes a name drops them, and the user model drops them again on save for names
set by code (the demo, management commands, Wagtail's own account form)."""

from __future__ import annotations

import re
import unicodedata

from django import forms

# Bidirectional embeddings, overrides and isolates (format characters, category Cf, that
# reorder the text around them); other format characters (soft hyphen, zero-width joiners
# some scripts need) are left alone.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = re.compile(r"\s+")


def name_clean(value: str) -> str:
    """``value`` without control characters (C0, DEL, C1), bidirectional controls and line or
    paragraph separators; runs of white space (tabs and line breaks included) become one space,
    and the ends are stripped."""
    kept = []
    for character in value:
        category = unicodedata.category(character)
        if character in "\t\n\r\v\f" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif category == "Cc" or character in _BIDI_CONTROLS:
            continue
        else:
            kept.append(character)
    return _SPACES.sub(" ", "".join(kept)).strip()


class NameField(forms.CharField):
    """A form field for a person's name: cleaned with ``name_clean`` before validation, so a
    name of nothing but control characters is an empty (and, if required, missing) name."""

    def to_python(self, value):
        value = super().to_python(value)
        return name_clean(value) if value else value
