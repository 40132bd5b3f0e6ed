"""Reads for discovery: which organisations match a search, and their identity providers."""

from django.db.models import Prefetch, Q, QuerySet

from elearning.organisations.models import Organisation

from .models import IdentityProvider

DISCOVERY_LIMIT = 20


def providers_enabled() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(enabled=True)


def discovery_organisations(*, query: str) -> list[Organisation]:
    """Active organisations whose name or code contains ``query`` (at most DISCOVERY_LIMIT),
    each with ``providers``: the enabled identity providers that serve it (maybe none)."""
    query = query.strip()
    if not query:
        return []
    organisations = (
        Organisation.objects.filter(is_active=True)
        .filter(Q(name__icontains=query) | Q(code__iexact=query))
        .prefetch_related(
            Prefetch(
                "identity_providers",
                queryset=providers_enabled().order_by("name"),
                to_attr="providers",
            )
        )
        .order_by("name")
    )
    return list(organisations[:DISCOVERY_LIMIT])


def providers_for_everyone() -> QuerySet[IdentityProvider]:
    """Enabled providers tied to no organisation (e.g. Sweden Connect's e-ID for elected
    officials without an employer account): offered to everyone."""
    return providers_enabled().filter(organisations__isnull=True).order_by("name")
