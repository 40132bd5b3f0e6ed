"""xAPI delivery records: the Learning Record Stores and the statement outbox."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LearningRecordStore(models.Model):
    """An LRS the platform sends statements to. The one named in the environment
    (LRS_ENDPOINT, LRS_USERNAME, LRS_PASSWORD) is kept in step by ``setup_site``."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    endpoint = models.URLField(
        _("endpoint"), help_text=_("The xAPI base address, ending in /xAPI/ or similar.")
    )
    username = models.CharField(_("username"), max_length=200, blank=True)
    # Never shown back in full in the admin and never sent to a browser.
    password = models.CharField(_("password"), max_length=500, blank=True)
    active = models.BooleanField(_("sending"), default=True)
    # Empty: learners of every organisation; otherwise only these organisations' learners.
    organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, verbose_name=_("only learners of")
    )
    # Set when the LRS refused our credentials (401/403): delivery waits for an operator.
    paused_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("learning record store")
        verbose_name_plural = _("learning record stores")

    def __str__(self) -> str:
        return self.name


class OutboxStatement(models.Model):
    """A statement waiting for (or done with) delivery to one LRS; written in the same
    transaction as its learning event, so no statement is ever lost."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    statement_id = models.UUIDField()  # the event's statement id; the same for every LRS
    lrs = models.ForeignKey(LearningRecordStore, on_delete=models.CASCADE, related_name="outbox")
    event = models.ForeignKey(
        "progress.LearningEvent", on_delete=models.PROTECT, related_name="statements"
    )
    payload = models.JSONField()  # the statement, frozen when the event happened
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement_id", "lrs"], name="outbox_statement_once_per_lrs"
            )
        ]
        indexes = [models.Index(fields=["lrs", "status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.statement_id} → {self.lrs_id} ({self.status})"
