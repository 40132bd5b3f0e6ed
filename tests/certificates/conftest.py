"""A learner who completes a small course that issues certificates, and readers of PDFs."""

import io

import pypdfium2
import pytest
import zxingcpp

from certificates.models import Certificate
from courses.models import CoursePage
from progress.services import enrolment_create, lesson_complete
from tests.factories import course_tree


def course_complete(user, *, modules=1, lessons=2, slug="kurs", **course_settings):
    """Build a course, enrol ``user`` and finish every lesson; returns (course, enrolment)."""
    course, pages = course_tree(modules=modules, lessons_per_module=lessons, slug=slug)
    if course_settings:
        CoursePage.objects.filter(pk=course.pk).update(**course_settings)
        course.refresh_from_db()
    enrolment, _ = enrolment_create(user=user, course=course)
    for lesson in pages:
        lesson_complete(user=user, lesson=lesson)
    enrolment.refresh_from_db()
    return course, enrolment


@pytest.fixture
def learner(make_user):
    return make_user(first_name="Åsa", last_name="Öberg-Lind", preferred_language="sv")


@pytest.fixture
def certificate(site, learner) -> Certificate:
    course_complete(learner)
    return Certificate.objects.get()


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def pdf_qr_codes(data: bytes) -> list[str]:
    """Every QR code on the first page, read from a 200 dpi rendering."""
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return [result.text for result in zxingcpp.read_barcodes(image)]


def pdf_metadata(data: bytes, name: str) -> str:
    """A value of the PDF's document information dictionary, custom keys included."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(data)
    try:
        tag = name.encode()
        size = pdfium_c.FPDF_GetMetaText(document.raw, tag, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDF_GetMetaText(document.raw, tag, buffer, size)
        return buffer.raw[: size - 2].decode("utf-16-le")
    finally:
        document.close()


def pdf_page_size_mm(data: bytes) -> tuple[float, float]:
    document = pypdfium2.PdfDocument(data)
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    return round(width / 72 * 25.4), round(height / 72 * 25.4)
