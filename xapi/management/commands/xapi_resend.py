"""Re-send (or backfill) the xAPI statements of learning events in a date range."""

import uuid
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from progress.models import LearningEvent
from xapi.models import LearningRecordStore, OutboxStatement
from xapi.outbox import delivery_request, stores_for
from xapi.statements import statement_for


def _statement_id_keep(event) -> None:
    """An event from before events kept their statement id: keep the id it was sent with, if
    it was sent; one never sent gets a random one now, so its first statement cannot collide
    with another installation's."""
    sent = event.statements.values_list("statement_id", flat=True).first()
    event.statement_id = sent or uuid.uuid4()
    event.save(update_fields=["statement_id"])


class Command(BaseCommand):
    help = (
        "Queue again the statements of learning events between two dates (inclusive), and "
        "create those missing for an LRS added later. LRSs keep one copy per statement id."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="YYYY-MM-DD")
        parser.add_argument("--until", required=True, help="YYYY-MM-DD")
        parser.add_argument("--lrs", help="Only this LRS (its name).")

    def handle(self, *args, since, until, lrs=None, **options):
        try:
            start = timezone.make_aware(datetime.combine(datetime.fromisoformat(since), time.min))
            end = timezone.make_aware(datetime.combine(datetime.fromisoformat(until), time.max))
        except ValueError as error:
            raise CommandError(f"Give dates as YYYY-MM-DD: {error}") from error
        if end < start:
            raise CommandError("--until is before --since.")
        only = None
        if lrs:
            only = LearningRecordStore.objects.filter(name=lrs).values_list("pk", flat=True).first()
            if only is None:
                raise CommandError(f"No LRS is named {lrs!r}.")
        events = LearningEvent.objects.filter(occurred_at__range=(start, end)).select_related(
            "enrolment__user"
        )
        queued = created = 0
        now = timezone.now()
        touched = set()
        with transaction.atomic():
            for event in events.iterator():
                user = event.enrolment.user
                if user is None:
                    continue  # the learner deleted their account
                if event.statement_id is None:
                    _statement_id_keep(event)
                for store in stores_for(event.enrolment):  # the stores' ids
                    if only is not None and store != only:
                        continue
                    row, was_created = OutboxStatement.objects.get_or_create(
                        statement_id=statement_for(event, learner_id=user.learner_id)["id"],
                        lrs_id=store,
                        defaults={
                            "event": event,
                            "payload": statement_for(event, learner_id=user.learner_id),
                            "next_attempt_at": now,
                            "created_at": now,
                        },
                    )
                    if not was_created:
                        row.status, row.attempts, row.next_attempt_at = "pending", 0, now
                        row.save(update_fields=["status", "attempts", "next_attempt_at"])
                    created += was_created
                    queued += 1
                    touched.add(store)
            transaction.on_commit(lambda: delivery_request(sorted(touched)))
        self.stdout.write(f"{queued} statements queued ({created} new) for {len(touched)} LRS.")
