"""How the certificates app hooks into progress: it issues a certificate when progress
publishes a course completion, and shows it beside the learner's progress."""

from progress import events, selectors


def course_completed(completed) -> None:
    """A completed course issues its certificate in the completion's transaction (the
    enrolment row is locked by progress), so that it is issued exactly once."""
    from .services import certificate_issue

    for event in completed:
        course = event.object_page.specific if event.object_page_id else None
        if course is not None:
            certificate_issue(enrolment=event.enrolment, course=course, now=event.occurred_at)


def user_forget(user) -> None:
    """Certificates name the person: when the account is deleted they are revoked, the name
    removed and the PDF deleted."""
    from .services import certificates_of_deleted_user

    certificates_of_deleted_user(list(user.enrolments.values_list("pk", flat=True)))


def user_verified(user) -> None:
    """An account became verified: the certificates it earned before are issued now."""
    from .services import certificates_of_verified_user

    certificates_of_verified_user(user)


def connect() -> None:
    from elearning.accounts.personal_data import personal_data_register
    from elearning.accounts.verification import verified_subscribe

    from .selectors import certificate_issued_at, current_certificates

    events.subscribe(
        course_completed, uid="certificates.course_completed", kinds=[events.Kind.COURSE_COMPLETED]
    )
    selectors.enrolment_extra_register("certificate", current_certificates)
    selectors.enrolment_annotation_register("certificate_issued_at", certificate_issued_at)
    personal_data_register("certificates", forget=user_forget)
    verified_subscribe(user_verified, uid="certificates.user_verified")
    # Issue 17: the certificate (being prepared, ready, revoked) shows on the learner's
    # cached pages (progress.pagecache).
    from django.db.models.signals import post_delete, post_save

    from progress.pagecache import row_changed

    from .models import Certificate

    post_save.connect(row_changed, sender=Certificate, dispatch_uid="pagecache_save_certificate")
    post_delete.connect(row_changed, sender=Certificate, dispatch_uid="pagecache_del_certificate")
