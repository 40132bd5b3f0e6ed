"""The sample packages played through the real run-times (scorm-again, h5p-standalone) in
Chromium: completed, the learner signs out and in and resumes, and what was recorded (status,
score, time, statements in the real Ralph LRS). One browser context per sample."""

import json

import pytest

from tests.browser.axe import assert_accessible
from tests.packages.conftest import H5P, SCORM12_MULTI, SCORM12_SINGLE, SCORM2004, package_lesson
from tests.xapi.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]
PASSWORD = "a-long-test-password"


@pytest.fixture
def learner(site, make_user):
    return make_user(email="spelare@example.org", password=PASSWORD)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    yield context
    context.close()


def sign_in(page, url, email):
    page.goto(url + "/sv/konto/logga-in/")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(url + "/sv/")


def sign_out(page):
    """Signing out from the lesson: the page ends the package's session and stores its last
    commit before it goes (wrapper.js), so what is stored is what the learner left."""
    with page.expect_navigation():
        page.get_by_role("button", name="Logga ut").click()


def course_with(*samples, slug, **options):
    from courses.models import ModulePage
    from tests.factories import course_tree

    course, _lessons = course_tree(modules=1, lessons_per_module=0, slug=slug)
    module = ModulePage.objects.child_of(course).first()
    lessons = [
        package_lesson(module, name, slug=f"{slug}-{n}", **options)
        for n, name in enumerate(samples)
    ]
    return course, lessons


def record(user, lesson):
    from packages.models import PackageRecord

    return PackageRecord.objects.get(enrolment__user=user, lesson_key=lesson.translation_key)


def done(user, lesson):
    from progress.models import LessonProgress

    return LessonProgress.objects.get(enrolment__user=user, lesson_key=lesson.translation_key)


def sco_started(page, lesson, index):
    """Part ``index`` (its launcher, and the SCO in it) has loaded and initialised its
    session. (Parts may share a file: the launcher's address tells them apart.)"""
    href = lesson.package.scos[index]["href"]
    check = """(href) => {
        const sco = document.getElementById("sco");
        return Boolean(sco && sco.contentWindow.location.href.includes("/files/" + href)
            && sco.contentWindow.initialized === true);
    }"""

    def started():
        page.wait_for_timeout(100)  # Playwright learns of new frames while it runs
        for frame in page.frames:
            if frame.url.endswith(f"/launch/{index}/"):
                try:
                    return frame.evaluate(check, href)
                except Exception:  # noqa: BLE001 - navigating: not yet
                    return False
        return False

    return wait_until(started, timeout=20)


def answer_correctly(frame):
    """What a learner who knows golf does on the sample's test page: the right option of each
    question, then Submit Answers."""
    frame.get_by_role("button", name="Submit Answers").wait_for()
    for question in frame.locator("body").evaluate(
        "() => test.Questions.map(q => [q.Id, q.Type, q.Answers, String(q.CorrectAnswer)])"
    ):
        identifier, kind, answers, correct = question
        if kind == "choice":
            frame.locator(f"[id='question_{identifier}_{answers.index(correct)}']").check()
        elif kind == "true-false":
            side = "True" if correct == "true" else "False"
            frame.locator(f"[id='question_{identifier}_{side}']").check()
        else:
            frame.locator(f"[id='question_{identifier}_Text']").fill(correct)
    frame.get_by_role("button", name="Submit Answers").click()


def test_scorm_2004_played_passed_resumed_and_reported(
    context, live_server, packages_origin, learner, celery_worker, ralph, ralph_store
):
    from django.conf import settings

    from progress.services import enrolment_create

    course, (lesson,) = course_with(SCORM2004, slug="golf-2004", completion_by="passed")
    enrolment_create(user=learner, course=course)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "resume where you left off?": yes
    url = live_server.url
    sign_in(page, url, learner.email)
    response = page.goto(url + lesson.url)
    assert response.url == url + lesson.url, response.url
    policy = response.headers["content-security-policy"]
    assert f"frame-src {packages_origin}" in policy and "script-src 'self'" in policy
    assert_accessible(page)
    sco = page.frame_locator("iframe.package-frame").frame_locator("#sco")
    status = page.locator("[data-package-status]")
    for _ in range(6):  # half-way through the pages, then away: signed out
        sco.get_by_role("button", name="Next ->").click()
    content = sco.locator("#contentFrame")
    assert content.get_attribute("src") == "../Etiquette/Distracting.html"  # page 6
    sign_out(page)
    part = record(learner, lesson).cmi["item_1"]
    assert part["cmi.location"] == "6" and part["cmi.exit"] == "suspend"
    assert part["cmi.completion_status"] == "incomplete"
    sign_in(page, url, learner.email)  # the package asks "resume?": yes, at its bookmark
    page.goto(url + lesson.url)
    sco.get_by_role("button", name="Next ->").wait_for()
    assert content.get_attribute("src") == "../Etiquette/Distracting.html"
    for _ in range(8):  # on from the bookmark to the last page: the test
        sco.get_by_role("button", name="Next ->").click()
    answer_correctly(sco.frame_locator("#contentFrame"))
    sco.get_by_role("button", name="Exit").click()  # at the end: exits normally, no question
    status.filter(has_text="Lektionen är klar").wait_for()
    assert "Godkänd" in status.text_content() and "100 %" in status.text_content()
    sign_out(page)
    sign_in(page, url, learner.email)  # another sitting: what was recorded is kept
    page.goto(url + lesson.url)
    assert "Lektionen är klar" in status.text_content()

    saved = record(learner, lesson)
    assert saved.completed is True and saved.success is True and saved.score_scaled == 1.0
    assert saved.cmi["item_1"]["cmi.completion_status"] == "completed"
    assert saved.cmi["item_1"]["cmi.success_status"] == "passed"
    assert saved.sessions == 3 and "cmi.session_time" in saved.cmi["item_1"]
    progress = done(learner, lesson)
    assert progress.completed_at is not None
    assert progress.time_spent_seconds >= 1  # counted by the server, capped as for every lesson

    from tests.xapi.conftest import wait_for_delivery

    wait_for_delivery(ralph_store)
    statements = ralph.statements()
    lesson_id = f"{settings.SITE_URL}/xapi/activities/lesson/{lesson.translation_key}"
    verbs = {s["verb"]["display"]["en-US"] for s in statements if s["object"]["id"] == lesson_id}
    assert verbs >= {"experienced", "completed", "passed"}
    passed = next(s for s in statements if s["verb"]["display"]["en-US"] == "passed")
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == 1.0
    completed = next(
        s for s in statements
        if s["verb"]["display"]["en-US"] == "completed" and s["object"]["id"] == lesson_id
    )  # fmt: skip
    assert completed["result"]["duration"].startswith("PT")


def test_scorm_12_multi_sco_played_in_manifest_order_and_resumed(
    context, live_server, packages_origin, learner
):
    from progress.services import enrolment_create

    course, (lesson, single) = course_with(SCORM12_MULTI, SCORM12_SINGLE, slug="golf-12")
    enrolment_create(user=learner, course=course)
    page = context.new_page()
    url = live_server.url
    sign_in(page, url, learner.email)
    page.goto(url + lesson.url)
    toc = page.get_by_role("navigation", name="Delar av lektionen")
    parts = toc.locator("a[data-part]")
    titles = parts.all_text_contents()
    assert titles[:3] == ["How to Play", "Par?", "Keeping Score"] and len(titles) == 18
    assert toc.get_by_text("Playing the Game").is_visible()  # the manifest's grouping
    assert_accessible(page)
    for index in range(1, 10):  # nine parts this sitting (each finishes when the next opens)
        assert sco_started(page, lesson, index - 1)
        parts.nth(index).click()
        assert wait_until(lambda index=index: len(record(learner, lesson).cmi) == index)
    assert sco_started(page, lesson, 9)
    sign_out(page)
    # Signing out ended the tenth part's session first (it finishes without a status, so
    # SCORM 1.2 counts it completed): ten parts stored, every time.
    assert len(record(learner, lesson).cmi) == 10
    sign_in(page, url, learner.email)
    page.goto(url + lesson.url)
    assert page.locator(".package-toc__done").count() == 10
    for index in range(10, 18):
        parts.nth(index).click()
        assert sco_started(page, lesson, index)
    # The last part finishes too, as the page is left (waited for: a navigation still under
    # way would interrupt the next one).
    with page.expect_navigation():
        page.get_by_role("link", name=lesson.title).first.click()
    assert wait_until(lambda: record(learner, lesson).completed)
    saved = record(learner, lesson)
    assert len(saved.cmi) == 18 and saved.completed is True
    assert all(v["cmi.core.lesson_status"] == "completed" for v in saved.cmi.values())
    assert done(learner, lesson).completed_at is not None

    # The single-SCO sample plays (its launch page makes no run-time call at all, so it
    # reports nothing and the lesson stays open: completion is the package's to report).
    page.goto(url + single.url)
    sco = page.frame_locator("iframe.package-frame").frame_locator("#sco")
    assert sco.get_by_role("heading", name="Not implemented yet").is_visible()
    assert done(learner, single).completed_at is None


def test_h5p_played_completed_and_kept_after_signing_in_again(
    context, live_server, packages_origin, learner
):
    from progress.services import enrolment_create

    course, (lesson,) = course_with(H5P, slug="h5p")
    enrolment_create(user=learner, course=course)
    page = context.new_page()
    url = live_server.url
    sign_in(page, url, learner.email)
    page.goto(url + lesson.url)
    content = page.frame_locator("iframe.package-frame").frame_locator("iframe")
    content.get_by_role("radio", name="False").click()
    content.get_by_role("button", name="Check").click()
    page.locator("[data-package-status]").filter(has_text="Lektionen är klar").wait_for()
    saved = record(learner, lesson)
    assert saved.completed is True and saved.success is True and saved.score_scaled == 1.0
    assert done(learner, lesson).completed_at is not None
    from progress.models import LearningEvent

    answered = LearningEvent.objects.get(kind="question_answered", enrolment__user=learner)
    assert answered.details["correct"] is True
    assert answered.details["interaction"]["response"] == ["false"]
    sign_out(page)
    (state,) = [part["state"] for part in record(learner, lesson).cmi.values()]
    assert json.loads(state)["answer"] is False  # the content's own state, as H5P saves it
    sign_in(page, url, learner.email)
    page.goto(url + lesson.url)
    assert "Lektionen är klar" in page.locator("[data-package-status]").text_content()
    # The answer is restored: "False" chosen again, as the learner left it.
    content.get_by_role("radio", name="False", checked=True).wait_for()
    assert content.get_by_role("radio", name="True", checked=False).is_visible()


PROBE = """<!DOCTYPE html><html lang="sv"><head><title>Sond</title></head><body><h1>Sond</h1>
<ul id="out"></ul><script>
function say(id, text) { var li = document.createElement("li"); li.id = id;
  li.textContent = text; document.getElementById("out").appendChild(li); }
say("cookie", "cookie=" + document.cookie);
try { say("top", "top=" + window.top.document.title); } catch (e) { say("top", "top=blocked"); }
fetch(SITE + "/sv/mina-kurser/", {credentials: "include"}).then(function (r) {
  return r.text(); }).then(function (t) { say("read", "read=" + t.length); },
  function () { say("read", "read=blocked"); });
fetch(SITE + "/package-data/LESSON/", {method: "POST", credentials: "include",
  headers: {"Content-Type": "text/plain"}, mode: "no-cors",
  body: JSON.stringify({sco: "item_1", values: {"cmi.core.lesson_status": "passed"}})
}).then(function () { say("post", "post=sent"); }, function () { say("post", "post=blocked"); });
</script></body></html>"""


def test_a_package_script_can_neither_read_the_sites_cookies_nor_call_it(
    context, live_server, packages_origin, learner
):
    from courses.models import ModulePage
    from progress.services import enrolment_create
    from tests.factories import course_tree
    from tests.packages.conftest import manifest_12, zip_of

    course, _ = course_tree(modules=1, lessons_per_module=0, slug="sond")
    module = ModulePage.objects.child_of(course).first()
    probe = zip_of({"imsmanifest.xml": manifest_12(), "index.html": "x"})
    lesson = package_lesson(module, probe, slug="sond-1")
    # The probe page names the site and the lesson's commit address.
    from packages import storage

    page_file = storage.folder_path(lesson.package.folder) / "index.html"
    page_file.write_text(
        PROBE.replace("SITE", repr(live_server.url)).replace("LESSON", str(lesson.pk))
    )
    enrolment_create(user=learner, course=course)
    page = context.new_page()
    sign_in(page, live_server.url, learner.email)
    page.goto(live_server.url + lesson.url)
    assert any(c["name"] == "csrftoken" for c in context.cookies(live_server.url))
    sco = page.frame_locator("iframe.package-frame").frame_locator("#sco")
    sco.locator("#post").wait_for()
    sco.locator("#read").wait_for()
    assert sco.locator("#cookie").text_content() == "cookie="  # none of the site's cookies
    assert sco.locator("#top").text_content() == "top=blocked"
    assert sco.locator("#read").text_content() == "read=blocked"  # CORS: nothing read
    from packages.models import PackageRecord

    assert not PackageRecord.objects.filter(cmi__has_key="item_1").exists()  # post refused
