"""Upgrading a database from the schema before the apps were split (progress owned the
certificates and the xAPI outbox) keeps every row, permission and group assignment."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The migration heads of the release before the split (progress at 0005, no certificates or
# xapi app yet): what a database "at today's head" had.
BEFORE_SPLIT = [
    ("progress", "0005_certificate_next_attempt"),
    ("certificates", None),
    ("xapi", None),
    # Apps added since, whose first migration depends on a later progress migration.
    ("packages", None),
    ("reports", None),
]


def _migrate(targets):
    """Migrate the test database to ``targets``; returns the historical models there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    split = {app for app, _ in BEFORE_SPLIT}
    nodes = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] not in split]
    nodes += [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(nodes).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_split(site):
    """The database at the release before the split; back at the latest schema afterwards,
    whatever the test did (the next tests need it)."""
    try:
        yield _migrate(BEFORE_SPLIT)
    finally:
        _migrate(_latest())


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_upgrades_with_every_row_kept(before_split):
    old = before_split
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Group = old.get_model("auth", "Group")
    User = old.get_model("accounts", "User")
    Organisation = old.get_model("organisations", "Organisation")
    Page = old.get_model("wagtailcore", "Page")
    Enrolment = old.get_model("progress", "Enrolment")
    LearningEvent = old.get_model("progress", "LearningEvent")
    LearningRecordStore = old.get_model("progress", "LearningRecordStore")
    OutboxStatement = old.get_model("progress", "OutboxStatement")
    Certificate = old.get_model("progress", "Certificate")
    CertificateBranding = old.get_model("progress", "CertificateBranding")

    # Content types and permissions as Django made them when the models lived in progress.
    old_types = {}
    for model in ("certificate", "certificatebranding", "learningrecordstore", "outboxstatement"):
        old_types[model], _ = ContentType.objects.get_or_create(app_label="progress", model=model)
        for action in ("add", "change", "delete", "view"):
            Permission.objects.get_or_create(
                content_type=old_types[model],
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
    operators = Group.objects.create(name="Drift (upgrade test)")
    operators.permissions.add(
        *Permission.objects.filter(
            content_type__in=[old_types["learningrecordstore"], old_types["certificate"]],
            codename__in=["change_learningrecordstore", "change_certificate"],
        )
    )
    malmo = Organisation.objects.get(kind="municipality", code="1280")
    operator = User.objects.create(email="drift@example.org", password="!", is_active=True)
    operator.groups.add(operators)
    learner = User.objects.create(
        email="upgrade@example.org", password="!", organisation=malmo, learner_id=uuid.uuid4()
    )
    course_page = Page.objects.filter(depth=2).first()
    now = timezone.now()
    enrolment = Enrolment.objects.create(
        user=learner, course_key=uuid.uuid4(), organisation=malmo, role_category="official",
        enrolled_at=now - timedelta(days=3), completed_at=now, last_activity_at=now,
    )  # fmt: skip
    events = [
        LearningEvent.objects.create(
            kind=kind,
            enrolment=enrolment,
            occurred_at=now,
            object_key=enrolment.course_key,
            object_page=course_page,
            language="sv",
            details={"n": n},
        )  # fmt: skip
        for n, kind in enumerate(("enrolled", "course_completed", "certificate_issued"))
    ]
    store = LearningRecordStore.objects.create(
        name="upgrade-lrs", endpoint="https://lrs.example.org/xAPI/", username="u", password="p"
    )
    store.organisations.add(malmo)
    statements = [
        OutboxStatement.objects.create(
            statement_id=uuid.uuid4(),
            lrs=store,
            event=event,
            payload={"id": str(event.pk)},
            status="sent" if n else "pending",
            attempts=n,
            next_attempt_at=now,
            created_at=now,
        )  # fmt: skip
        for n, event in enumerate(events)
    ]
    pdf_name = f"certificates/upgrade/{uuid.uuid4().hex}.pdf"
    pdf_path = Path(settings.MEDIA_ROOT) / pdf_name
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.write_bytes(b"%PDF-1.7 upgrade test\n")
    certificate = Certificate.objects.create(
        enrolment=enrolment, code="a" * 32, issued_at=now, language="sv",
        claim={"learner": {"name": "Uppgradering"}}, key_id="k1", signature="s" * 86,
        pdf=pdf_name, rendered_at=now,
    )  # fmt: skip
    branding = CertificateBranding.objects.create(issuer_name="Upgrade issuer")
    type_ids = {model: ct.pk for model, ct in old_types.items()}
    permission_ids = set(operators.permissions.values_list("pk", flat=True))

    _migrate(_latest())
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    from django.contrib.auth.models import Group as NewGroup
    from django.contrib.contenttypes.models import ContentType as NewContentType

    from certificates.models import Certificate as NewCertificate
    from certificates.models import CertificateBranding as NewBranding
    from elearning.accounts.models import User as NewUser
    from xapi.models import LearningRecordStore as NewStore
    from xapi.models import OutboxStatement as NewStatement

    # Every row, under the same id, in the new apps' tables.
    moved = NewCertificate.objects.get(pk=certificate.pk)
    assert moved.code == "a" * 32 and moved.enrolment_id == enrolment.pk
    assert moved.claim == {"learner": {"name": "Uppgradering"}}
    assert moved.pdf.name == pdf_name
    with moved.pdf.open("rb") as pdf:
        assert pdf.read() == b"%PDF-1.7 upgrade test\n"
    assert NewBranding.objects.get(pk=branding.pk).issuer_name == "Upgrade issuer"
    new_store = NewStore.objects.get(pk=store.pk)
    assert (new_store.name, new_store.password) == ("upgrade-lrs", "p")
    assert list(new_store.organisations.values_list("pk", flat=True)) == [malmo.pk]
    assert {
        (s.pk, s.event_id, s.status, s.attempts) for s in NewStatement.objects.filter(lrs=new_store)
    } == {(s.pk, s.event_id, s.status, s.attempts) for s in statements}
    assert connection.introspection.table_names().count("certificates_certificate") == 1
    assert "progress_certificate" not in connection.introspection.table_names()
    assert "progress_outboxstatement" not in connection.introspection.table_names()

    # The content types moved (same ids), so permissions and groups kept what they may do.
    for model, app in (
        ("certificate", "certificates"),
        ("certificatebranding", "certificates"),
        ("learningrecordstore", "xapi"),
        ("outboxstatement", "xapi"),
    ):
        assert NewContentType.objects.get(app_label=app, model=model).pk == type_ids[model]
        assert not NewContentType.objects.filter(app_label="progress", model=model).exists()
    group = NewGroup.objects.get(pk=operators.pk)
    assert set(group.permissions.values_list("pk", flat=True)) == permission_ids
    upgraded = NewUser.objects.get(pk=operator.pk)
    assert upgraded.has_perm("xapi.change_learningrecordstore")
    assert upgraded.has_perm("certificates.change_certificate")
    # The new models' instances point at the same content type as before.
    assert NewContentType.objects.get_for_model(NewCertificate).pk == type_ids["certificate"]


OLD_TASK_NAMES = {
    "progress.tasks.statements_deliver": "xapi.tasks.statements_deliver",
    "progress.tasks.statements_sweep": "xapi.tasks.statements_sweep",
    "progress.certificates.tasks.certificate_deliver": "certificates.tasks.certificate_deliver",
    "progress.certificates.tasks.certificates_sweep": "certificates.tasks.certificates_sweep",
    "progress.reports.tasks.digest_send": "reports.tasks.digest_send",
    "progress.reports.tasks.digests_send": "reports.tasks.digests_send",
}


def test_tasks_queued_under_their_old_names_still_run():
    from elearning.celery import app

    app.loader.import_default_modules()
    for old, new in OLD_TASK_NAMES.items():
        assert old in app.tasks, f"a message queued as {old} would be lost"
        assert new in app.tasks


@pytest.mark.django_db
def test_an_old_sweep_message_asks_for_delivery_like_the_new_task(site, monkeypatch):
    """A sweep message queued before the split finds the same due statements."""
    from elearning.celery import app
    from progress.models import Enrolment, LearningEvent
    from xapi import tasks
    from xapi.models import LearningRecordStore, OutboxStatement

    app.loader.import_default_modules()
    asked = []
    monkeypatch.setattr(tasks.statements_deliver, "delay", lambda **kw: asked.append(kw))
    now = timezone.now()
    store = LearningRecordStore.objects.create(name="old-sweep", endpoint="https://l.example/x/")
    enrolment = Enrolment.objects.create(course_key=uuid.uuid4(), enrolled_at=now)
    event = LearningEvent.objects.create(
        kind="enrolled", enrolment=enrolment, occurred_at=now, object_key=uuid.uuid4(),
        language="sv",
    )  # fmt: skip
    OutboxStatement.objects.create(
        statement_id=uuid.uuid4(), lrs=store, event=event, payload={}, next_attempt_at=now,
        created_at=now,
    )  # fmt: skip
    assert app.tasks["progress.tasks.statements_sweep"].run() == 1
    assert asked == [{"lrs_id": store.pk}]
