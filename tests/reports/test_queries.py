"""Report pages run a fixed number of queries however many organisations and learners."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from elearning.organisations.models import Organisation

pytestmark = pytest.mark.django_db
REPORTS = ["overview", "organisations", "roles", "months", "modules", "learners"]


def counts(client):
    result = {}
    for name in REPORTS:
        with translation.override("en"):
            address = reverse(f"reports:{name}")
        for params in ({}, {"format": "csv"}, {"format": "xlsx"}):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(address, params)
                assert response.status_code == 200
                if params:
                    b"".join(response.streaming_content)
            result[name, params.get("format", "html")] = len(captured)
    return result


@pytest.mark.parametrize("national", [False, True])
def test_query_counts_do_not_grow_with_organisations_or_learners(
    client, build, orgs, manager, national
):
    skane = Organisation.objects.filter(county=orgs["skane"]).order_by("pk")
    user = manager("m@example.org", counties=[orgs["skane"]], national=national)
    client.force_login(user)
    for organisation in skane[:2]:
        build.learners(organisation, 2, started=1, completed=1, passed=1, certified=1)
    counts(client)  # warm the caches a long-running server has warm (site root, outline)
    small = counts(client)
    for organisation in skane[:8]:
        build.learners(organisation, 7, started=5, completed=3, passed=2, failed=1, certified=1)
    build.learners(orgs["stockholm"], 6, completed=2, days_ago=400)
    assert counts(client) == small
    # And few: the session, the user, the scope, the form's choices, the rollup's state
    # and the pages' layout, the figures (one statement per table, or two for the
    # disclosure of a non-national manager's comparison rows).
    assert max(small.values()) <= 35, small
