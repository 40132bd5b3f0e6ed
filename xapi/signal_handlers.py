"""What the xAPI app does when progress publishes learning events."""

from progress import events


def events_recorded(recorded) -> None:
    """Every learning event becomes statements in the outbox, in the event's own transaction:
    a statement is never lost, and delivery is asked for once it commits."""
    from .outbox import outbox_add_many

    outbox_add_many(list(recorded))


def connect() -> None:
    events.subscribe(events_recorded, uid="xapi.events_recorded")
