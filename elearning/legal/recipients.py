"""Who receives personal data right now, for the privacy notice: apps higher up register a
callable (the xAPI app: the learning record stores that are sending), so the page names the
real recipients without this app importing them."""

from collections.abc import Callable

_recipients: dict[str, Callable[[], str | None]] = {}


def recipients_register(name: str, describe: Callable[[], str | None]) -> None:
    """``describe()`` gives a sentence naming the current recipients, or None for none."""
    _recipients[name] = describe


def recipients_now() -> list[str]:
    """The registered sentences, in registration order, without the empty ones."""
    return [text for describe in _recipients.values() if (text := describe())]
