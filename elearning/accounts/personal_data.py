"""What the apps store about a person: one registry for the learner's download (GDPR art. 15
and 20) and for deleting the account (art. 17). Each app registers in its ``ready()`` what it
holds; accounts imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class _Holder:
    export: Callable | None
    forget: Callable | None


_holders: dict[str, _Holder] = {}


def personal_data_register(
    name: str, *, export: Callable | None = None, forget: Callable | None = None
) -> None:
    """``export(user)`` gives the JSON-ready data shown under ``name`` in the download;
    ``forget(user)`` removes or anonymises the app's personal data, inside the deletion's
    transaction and before the user row goes."""
    _holders[name] = _Holder(export, forget)


def personal_data_export(user) -> dict:
    """Everything stored about ``user``, section by section, in registration order."""
    return {name: holder.export(user) for name, holder in _holders.items() if holder.export}


def personal_data_forget(user) -> None:
    """Ask every app to forget ``user``."""
    for holder in _holders.values():
        if holder.forget:
            holder.forget(user)
