"""The three generated managers (national, Skåne, Malmö)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from elearning.accounts import roles
from elearning.accounts.models import RoleCategory, User
from elearning.organisations.models import County, Organisation

from .shares import DOMAIN, MANAGER_PASSWORD
from .writer import Writer

# --- Managers --------------------------------------------------------------------------------


def managers_create(writer: Writer) -> list[str]:
    """Three managers: national, Skåne län, Malmö. Returns their e-mail addresses."""
    group = Group.objects.get(name=roles.MANAGERS)
    malmo = Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, code="1280")
    skane = County.objects.get(code="12")
    region = Organisation.objects.filter(kind=Organisation.Kind.REGION, code="12").first()
    made = []
    password = make_password(MANAGER_PASSWORD)  # hashed once: it is slow on purpose
    for slug, first, last, organisation in (
        ("nationell", "Nora", "Nationell", None),
        ("skane", "Sven", "Skånsk", region),
        ("malmo", "Maja", "Malmöbo", malmo),
    ):
        user = User.objects.create(
            email=f"manager-{slug}@{DOMAIN}",
            password=password,
            first_name=first,
            last_name=last,
            organisation=organisation,
            role_category=RoleCategory.MANAGER,
            manages_nationally=slug == "nationell",
            verified_at=timezone.now(),
        )
        user.groups.add(group)
        if slug == "skane":
            user.managed_counties.add(skane)
        if slug == "malmo":
            user.managed_organisations.add(malmo)
        made.append(user.email)
    writer.counts[User._meta.label] = writer.counts.get(User._meta.label, 0) + len(made)
    return made
