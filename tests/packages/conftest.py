"""Fixtures for package lessons: the real sample packages beside the repository
(../shared/content-samples), broken variants built from them, and lessons that play them."""

import io
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, service_missing

SAMPLES = ROOT.parent / "shared" / "content-samples"
SCORM12_MULTI = "RuntimeMinimumCalls_SCORM12.zip"
SCORM12_SINGLE = "singlesco_scorm12.zip"
SCORM2004 = "RuntimeBasicCalls_SCORM20043rdEdition.zip"
H5P = "h5p-test.h5p"


def sample(name: str) -> Path:
    """A sample package; missing samples fail the run under CI=true."""
    path = SAMPLES / name
    if not path.is_file():
        service_missing(f"the content sample {name} is missing from {SAMPLES}")
    return path


def zip_of(files: dict[str, bytes | str], *, symlinks=()) -> io.BytesIO:
    """A zip in memory; names in ``symlinks`` are stored as symbolic links."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (0o120777 << 16) | 0x20
            archive.writestr(info, content)
    buffer.seek(0)
    return buffer


def manifest_12(href="index.html", files=("index.html",), identifier="item_1") -> str:
    listed = "".join(f'<file href="{name}"/>' for name in files)
    return f"""<?xml version="1.0"?>
<manifest identifier="test" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Testpaket</title>
    <item identifier="{identifier}" identifierref="res"><title>Del ett</title></item>
  </organization></organizations>
  <resources><resource identifier="res" type="webcontent" adlcp:scormtype="sco" href="{href}">
    {listed}</resource></resources>
</manifest>"""


def package_lesson(
    module, name_or_file, *, model=None, completion_by="either", slug=None, title=None
):
    """A published package lesson at the end of ``module`` playing a sample (or a file)."""
    from packages.models import H5PLessonPage, PackageLessonPage
    from packages.services import package_create

    if isinstance(name_or_file, str):
        with sample(name_or_file).open("rb") as file:
            package = package_create(file, name=name_or_file)
    else:
        package = package_create(name_or_file, name="test.zip")
    if model is None:
        model = H5PLessonPage if package.kind == "h5p" else PackageLessonPage
    lesson = model(
        title=title or package.title,
        slug=slug or f"paket-{package.pk}",
        locale=module.locale,
        package=package,
        completion_by=completion_by,
        estimated_minutes=10,
        body=[],
    )
    module.add_child(instance=lesson)
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


@pytest.fixture
def package_course(site):
    """A course of one module holding the SCORM 2004 sample (completed by passing)."""
    from courses.models import CoursePage, ModulePage
    from tests.factories import course_tree

    course, lessons = course_tree(modules=1, lessons_per_module=1, slug="paketkurs")
    module = ModulePage.objects.child_of(course).first()
    lesson = package_lesson(module, SCORM2004, completion_by="passed", slug="golf-2004")
    return CoursePage.objects.get(pk=course.pk), module, lessons[0], lesson


# The xAPI tests' real Ralph LRS, shared with the package lessons' browser tests.
from tests.xapi.conftest import ralph, ralph_server, ralph_store  # noqa: E402, F401


@pytest.fixture
def packages_origin(settings, live_server):
    """The package host of the live server: the same server under its other name, so a
    different origin and site than the pages (localhost), with none of their cookies."""
    settings.PACKAGES_ORIGIN = live_server.url.replace("localhost", "127.0.0.1")
    return settings.PACKAGES_ORIGIN
