"""The demo manager in Chromium: sign in, open the reports, filter to their county, read a
chart and its table, download the XLSX (same figures), and axe on every report page."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from elearning.accounts import roles
from elearning.organisations.models import Organisation
from tests.browser.axe import assert_accessible
from tests.reports.builders import Builder, fast_course

pytestmark = pytest.mark.browser
REPORTS = ["overview", "organisations", "roles", "months", "modules", "learners"]


def demo_manager_with_learners():
    """The demo manager as ``demo_load`` makes them (Region Skåne, following the county),
    and learners in Skåne and Stockholm. The demo course itself is left out: loading it
    takes half a minute, and the reports read only enrolments and the page tree."""
    from django.contrib.auth.models import Group

    from elearning.accounts.models import User

    account = next(a for a in DEMO_ACCOUNTS if a.role == roles.MANAGERS)
    region = Organisation.objects.get(kind="region", code="12")
    manager = User.objects.create_user(
        account.email,
        DEMO_PASSWORD,
        first_name=account.first_name,
        last_name=account.last_name,
        organisation=region,
        verified_at=timezone.now(),
    )
    manager.groups.add(Group.objects.get(name=account.role))
    manager.managed_counties.add(region.county)
    build = Builder(fast_course())
    for code, n, completed in [("1280", 6, 3), ("1281", 4, 1), ("1286", 3, 2), ("0180", 5, 5)]:
        organisation = Organisation.objects.get(kind="municipality", code=code)
        build.learners(organisation, n, started=n - 1, completed=completed, passed=completed)


def test_demo_manager_filters_to_the_county_reads_and_downloads(page, live_server, site):
    demo_manager_with_learners()
    url = live_server.url
    page.goto(url + "/en/account/sign-in/")
    page.get_by_label("E-mail address").fill("samordnare@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(sv|en)/$"))  # the home page in the manager's language
    page.goto(url + "/en/")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reports").click()
    page.wait_for_url(url + "/en/reports/")
    assert_accessible(page)

    page.get_by_label("County").select_option(label="Skåne län")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*county=\d+.*"))
    chart = page.get_by_role("img", name="Completion rate per course")
    assert chart.is_visible()
    table = page.get_by_role("table", name="Completion per course")
    assert table.is_visible()
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="All courses"))
    shown = [cell.strip() for cell in row.get_by_role("cell").all_inner_texts()]
    assert shown[0] not in ("", "–") and int(shown[0]) > 1  # enrolled in the county

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Excel \(XLSX\)")).first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Course", "Enrolled", "Started", "Completed")
    total = next(r for r in rows if r[0] == "All courses")
    assert [total[1], total[2], total[3]] == [int(shown[0]), int(shown[1]), int(shown[2])]

    county = page.url.split("?", 1)[1]
    for language in ("en", "sv"):
        with translation.override(language):
            for name in REPORTS:
                page.goto(f"{url}{reverse(f'reports:{name}')}?{county}")
                assert page.get_by_role("heading", level=1).is_visible()
                assert_accessible(page)
            # The certificates ZIP form, reached from the reports' navigation.
            page.get_by_role("navigation", name=translation.gettext("Reports")).get_by_role(
                "link", name=translation.gettext("Download certificates")
            ).click()
            page.wait_for_url(f"{url}{reverse('certificates_download')}")
            assert_accessible(page)
