"""Reads of certificates that other pages show beside progress."""

from django.db.models import OuterRef, Subquery

from .models import Certificate


def current_certificates(enrolments) -> dict[int, Certificate]:
    """Enrolment id -> its current certificate (one query; none for unfinished enrolments)."""
    ids = [enrolment.pk for enrolment in enrolments if enrolment.completed_at]
    if not ids:
        return {}
    return {
        certificate.enrolment_id: certificate
        for certificate in Certificate.objects.filter(
            enrolment_id__in=ids, superseded_at__isnull=True
        )
    }


def certificate_issued_at():
    """For a query on enrolments: when its current, unrevoked certificate was issued."""
    return Subquery(
        Certificate.objects.filter(
            enrolment=OuterRef("pk"), superseded_at__isnull=True, revoked_at__isnull=True
        ).values("issued_at")[:1]
    )
