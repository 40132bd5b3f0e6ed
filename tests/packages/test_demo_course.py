"""The second demo course (issue 18): the sample packages in a Swedish course with its English
translation, loaded in place however often `make run` loads it, and playable by a learner."""

import pytest
from django.test import Client
from wagtail.models import Page, Revision

from courses.models import CoursePage, ModulePage
from demo.packages import demo_package_course_load
from packages.models import H5PLessonPage, Package, PackageLessonPage
from progress.services import enrolment_create

pytestmark = pytest.mark.django_db


def test_the_package_course_is_there_in_both_languages_and_loading_again_changes_nothing(
    site, settings
):
    course = demo_package_course_load()
    counts = (Page.objects.count(), Revision.objects.count(), Package.objects.count())
    assert demo_package_course_load().pk == course.pk
    assert (Page.objects.count(), Revision.objects.count(), Package.objects.count()) == counts
    assert Package.objects.count() == 3  # each sample stored once, shared by both languages

    english = CoursePage.objects.get(
        translation_key=course.translation_key, locale__language_code="en"
    )
    assert (course.title, english.title) == (
        "Att spela upp färdigt innehåll",
        "Playing existing content",
    )
    assert course.live and english.live
    for page, language in ((course, "sv"), (english, "en")):
        module = ModulePage.objects.child_of(page).get()
        lessons = [lesson.specific for lesson in module.get_children().live().order_by("path")]
        assert [type(lesson) for lesson in lessons] == [
            PackageLessonPage, PackageLessonPage, H5PLessonPage
        ]  # fmt: skip
        assert [lesson.package.kind for lesson in lessons] == ["scorm2004", "scorm12", "h5p"]
        assert all(lesson.locale.language_code == language for lesson in lessons)
        assert "Rustici Software" in lessons[0].summary and "CC BY 3.0" in lessons[1].summary


def test_a_learner_opens_each_lesson_of_the_package_course(site, settings, make_user):
    settings.PACKAGES_ORIGIN = "http://packages.testserver"
    course = demo_package_course_load()
    learner = make_user(email="paketdemo@example.org")
    enrolment_create(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    english = course.get_translation(course.get_translations().get().locale)
    for page in (course, english):
        for lesson in ModulePage.objects.child_of(page).get().get_children().live().specific():
            response = client.get(lesson.url)
            assert response.status_code == 200, lesson.url
            html = response.content.decode()
            assert "data-package-player" in html, lesson.url
            assert 'src="http://packages.testserver/packages/' in html  # the package's launcher
            if page.pk == course.pk and lesson.package.kind == "scorm12":
                assert '<ol lang="en">' in html  # the English parts of a Swedish lesson
