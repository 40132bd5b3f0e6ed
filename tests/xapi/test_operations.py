"""Operators: delivery health in the admin, retrying failed statements, /health/ degradation,
and re-sending a date range."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from elearning.accounts import roles
from progress.services import enrolment_create
from tests.factories import course_tree
from xapi.models import LearningRecordStore, OutboxStatement

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(site, make_user):
    lrs = LearningRecordStore.objects.create(name="ralph", endpoint="http://127.0.0.1:9/xAPI/")
    course, _ = course_tree()
    for n in range(3):
        enrolment_create(user=make_user(email=f"x{n}@example.org"), course=course)
    return lrs


def test_operators_see_health_and_retry_failed(
    client, make_user, store, django_capture_on_commit_callbacks
):
    OutboxStatement.objects.filter(pk=store.outbox.first().pk).update(
        status="failed", last_error="409: the LRS holds another statement with this id"
    )
    admin = make_user(email="ops@example.org")
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    client.force_login(admin)
    body = client.get("/admin/xapi/").content.decode()
    assert "ralph" in body and "409: the LRS holds another statement" in body
    response = client.post(f"/admin/xapi/{store.pk}/retry/")
    assert response.status_code == 302
    assert not store.outbox.filter(status="failed").exists()


def test_authors_cannot_see_delivery(client, make_user, store):
    author = make_user(email="author@example.org")
    author.groups.add(Group.objects.get(name=roles.AUTHORS))
    client.force_login(author)
    assert client.get("/admin/xapi/").status_code == 302
    assert client.post(f"/admin/xapi/{store.pk}/retry/").status_code == 302


def test_health_reports_the_lrs_degraded_when_statements_wait_too_long(
    client, store, settings, redis_broker
):
    assert client.get("/health/").json()["status"] == "ok"
    OutboxStatement.objects.update(created_at=timezone.now() - timedelta(hours=1))
    data = client.get("/health/").json()
    assert data["status"] == "degraded" and data["checks"]["lrs"]["degraded"] is True
    assert data["checks"]["lrs"]["oldest_pending_seconds"] >= 3600


def test_resend_a_date_range_and_backfill_a_new_lrs(store):
    OutboxStatement.objects.update(status="sent")
    later = LearningRecordStore.objects.create(name="later", endpoint="http://127.0.0.1:9/b/")
    today = timezone.localdate().isoformat()
    call_command("xapi_resend", since=today, until=today)
    assert store.outbox.filter(status="pending").count() == 3
    assert later.outbox.count() == 3  # backfilled
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("xapi_resend", since="igår", until=today)
    with pytest.raises(CommandError, match="No LRS is named"):
        call_command("xapi_resend", since=today, until=today, lrs="nope")


def test_lrs_credentials_are_never_shown_back(client, make_user, store):
    LearningRecordStore.objects.filter(pk=store.pk).update(username="lms", password="hemligt-lösen")
    admin = make_user(email="root@example.org", is_superuser=True)
    client.force_login(admin)
    for path in (
        "/admin/learning_record_stores/",
        f"/admin/learning_record_stores/edit/{store.pk}/",
    ):
        body = client.get(path).content.decode()
        assert "hemligt-lösen" not in body
    form = client.get(f"/admin/learning_record_stores/edit/{store.pk}/").context["form"]
    data = {k: v for k, v in form.initial.items() if k != "password"}
    data["organisations"] = []
    data["active"] = "on"
    response = client.post(
        f"/admin/learning_record_stores/edit/{store.pk}/", {**data, "password": ""}
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.password == "hemligt-lösen"  # kept when left empty
