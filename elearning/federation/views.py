"""Discovery: "Logga in via din organisation" -- find your organisation, then its provider."""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from . import selectors, services
from .errors import LANGUAGE_SESSION_KEY
from .forms import DiscoveryForm


@require_GET
def discovery(request):
    form = DiscoveryForm(request.GET or None)
    organisations = []
    searched = False
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        searched = True
        organisations = selectors.discovery_organisations(query=form.cleaned_data["q"])
    shown = [p for o in organisations for p in o.providers]
    everyone = list(selectors.providers_for_everyone())
    # The buttons' forms lead to these providers (middleware.py widens form-action for them).
    request.federation_form_origins = {
        origin for row in shown + everyone for origin in services.provider_origins(row)
    }
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    # The provider's answer comes back to addresses without a language: land in this one, and
    # say what went wrong in it (errors.py).
    next_url = next_url or f"/{request.LANGUAGE_CODE}/"
    request.session[LANGUAGE_SESSION_KEY] = request.LANGUAGE_CODE
    return render(
        request,
        "federation/discovery.html",
        {
            "form": form,
            "searched": searched,
            "organisations": organisations,
            "everyone_providers": everyone,
            "next": next_url,
        },
    )
