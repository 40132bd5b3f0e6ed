"""Who a manager may see: the organisations whose individual learners appear in their reports.

A manager is given organisations one by one, whole counties (every organisation whose county
it is: its municipalities, its region and its county board), or the whole country. Every
report, export and certificate download filters by this scope on the server; aggregates about
organisations outside it suppress small groups (see ``reports``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from elearning.organisations.models import Organisation


@dataclass(frozen=True)
class ManagerScope:
    national: bool
    organisation_ids: frozenset[int]
    county_ids: frozenset[int]

    def organisations(self) -> QuerySet[Organisation]:
        """The organisations in scope (one query when evaluated)."""
        if self.national:
            return Organisation.objects.all()
        return Organisation.objects.filter(self.organisation_q())

    def organisation_q(self, prefix: str = "") -> Q:
        """A filter on organisation rows (``prefix`` e.g. "organisation__" from another model)."""
        if self.national:
            return Q()
        return Q(**{f"{prefix}pk__in": self.organisation_ids}) | Q(
            **{f"{prefix}county_id__in": self.county_ids}
        )

    def enrolment_q(self) -> Q:
        """A filter on enrolments: those made while the learner was in an organisation in scope.

        An enrolment with no organisation is only in a national scope.
        """
        if self.national:
            return Q()
        return self.organisation_q("organisation__")

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.organisation_ids or self.county_ids)


def manager_scope(user) -> ManagerScope | None:
    """The user's scope, or None when they may not see reports at all."""
    if not user.is_authenticated or not user.has_perm("accounts.view_reports"):
        return None
    return ManagerScope(
        national=user.manages_nationally or user.is_superuser,
        organisation_ids=frozenset(user.managed_organisations.values_list("pk", flat=True)),
        county_ids=frozenset(user.managed_counties.values_list("pk", flat=True)),
    )


def counted_enrolment_q() -> Q:
    """A filter on enrolments: those that count in reports and small-group suppression (issue
    16). An account counts once it is proven (``User.verified_at``: its address confirmed, or
    provisioned by the organisation's identity provider); an enrolment whose account was deleted
    stays counted (deletion keeps the statistics, see ``services.user_delete``). Unproven
    accounts (anyone can type any address and organisation) count nowhere."""
    # As NOT EXISTS (an unproven account): PostgreSQL then reads only the few unproven
    # accounts instead of joining every user to every enrolment (a tenth of a national
    # report's time at 100,000 learners).
    from django.db.models import Exists, OuterRef

    from .models import User

    return Q(~Exists(User.objects.filter(pk=OuterRef("user_id"), verified_at__isnull=True)))
