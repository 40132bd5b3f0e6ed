from django import template

from progress.selectors import completed_lesson_keys, course_progress, enrolment_active

register = template.Library()


@register.simple_tag(takes_context=True)
def learner_course_progress(context, course, outline):
    """The signed-in learner's progress in ``course`` (None when not enrolled)."""
    enrolment = enrolment_active(user=context["request"].user, course=course)
    if enrolment is None:
        return None
    return course_progress(enrolment=enrolment, outline=outline)


@register.simple_tag(takes_context=True)
def lesson_is_done(context, course, lesson):
    request = context["request"]
    progress = getattr(request, "lesson_progress", None)  # recorded when the lesson was served
    if progress is not None and progress.lesson_key == lesson.translation_key:
        return progress.completed_at is not None
    enrolment = enrolment_active(user=request.user, course=course)
    return enrolment is not None and str(lesson.translation_key) in completed_lesson_keys(enrolment)
