"""What the xAPI app does when progress publishes learning events."""

from progress import events


def events_recorded(recorded) -> None:
    """Every learning event becomes statements in the outbox, in the event's own transaction:
    a statement is never lost, and delivery is asked for once it commits."""
    from .outbox import outbox_add_many

    outbox_add_many(list(recorded))


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import LearningRecordStore
    from .outbox import stores_version_bump

    events.subscribe(events_recorded, uid="xapi.events_recorded")
    # The outbox's cached list of active stores (issue 17) follows every change of a store.
    post_save.connect(stores_version_bump, sender=LearningRecordStore, dispatch_uid="xapi_save")
    post_delete.connect(stores_version_bump, sender=LearningRecordStore, dispatch_uid="xapi_del")
    m2m_changed.connect(
        stores_version_bump,
        sender=LearningRecordStore.organisations.through,
        dispatch_uid="xapi_stores_organisations",
    )
