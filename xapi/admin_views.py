"""xAPI delivery health for operators in the Wagtail admin, with retrying of failed statements."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import LearningRecordStore, OutboxStatement
from .outbox import delivery_request
from .selectors import delivery_health

PERMISSION = "xapi.change_learningrecordstore"


@permission_required(PERMISSION, raise_exception=True)
def health(request):
    failed = (
        OutboxStatement.objects.filter(status=OutboxStatement.Status.FAILED)
        .select_related("lrs", "event")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "progress/admin/xapi_health.html",
        {
            "stores": delivery_health(),
            "failed": failed,
            "now": timezone.now(),
            "page_title": _("xAPI delivery"),
        },
    )


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def retry_failed(request, lrs_id):
    """Put the failed statements of an LRS back in the queue and lift a pause."""
    store = get_object_or_404(LearningRecordStore, pk=lrs_id)
    count = store.outbox.filter(status=OutboxStatement.Status.FAILED).update(
        status=OutboxStatement.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    LearningRecordStore.objects.filter(pk=store.pk).update(paused_reason="")
    delivery_request([store.pk])
    messages.success(
        request,
        _("%(count)d statements queued again for %(name)s.") % {"count": count, "name": store.name},
    )
    return redirect("xapi_health")
