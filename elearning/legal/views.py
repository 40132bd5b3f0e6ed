"""The accessibility feedback form (also shown on the statement page) and its thank-you page.
Anyone may write, signed in or not; CSRF-protected, rate-limited per client address, with a
honeypot field against bots. Refused input is explained and stores nothing."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from .forms import FeedbackForm, referrer_page
from .models import AccessibilityStatementPage
from .services import feedback_create

# Messages per client address and hour: more than anyone writes by hand, few enough that a
# script cannot flood the administrators' inboxes.
FEEDBACK_LIMIT_PER_HOUR = 10


def _statement(request):
    return (
        AccessibilityStatementPage.objects.live()
        .filter(locale__language_code=request.LANGUAGE_CODE)
        .first()
    )


def _limited(request) -> bool:
    usage = get_usage(
        request,
        group="accessibility-feedback",
        key="elearning.core.client.ratelimit_key",
        rate=f"{FEEDBACK_LIMIT_PER_HOUR}/h",
        increment=True,
    )
    return usage is not None and usage["should_limit"]


@require_http_methods(["GET", "POST"])
def feedback(request):
    statement = _statement(request)
    if request.method == "GET":
        form = FeedbackForm(initial={"page_url": referrer_page(request)})
        return render(request, "legal/feedback.html", {"form": form, "statement": statement})
    if _limited(request):
        form = FeedbackForm(request.POST)
        form.add_error(
            None,
            _(
                "Too many messages have been sent from your address in the last hour. Nothing "
                "was saved; please try again later or write to us as the statement says."
            ),
        )
        context = {"form": form, "statement": statement}
        return render(request, "legal/feedback.html", context, status=429)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "statement": statement}
        return render(request, "legal/feedback.html", context, status=400)
    sent = feedback_create(
        cleaned=form.cleaned_data, language=request.LANGUAGE_CODE, user=request.user
    )
    request.session["legal_feedback_receipt"] = bool(sent.email)
    return redirect("legal:feedback_sent")


@require_http_methods(["GET"])
def feedback_sent(request):
    context = {
        "statement": _statement(request),
        "receipt": request.session.pop("legal_feedback_receipt", None),
    }
    return render(request, "legal/feedback_sent.html", context)
