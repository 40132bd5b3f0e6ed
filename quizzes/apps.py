from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    """Quizzes authored in Wagtail and graded on the server."""

    name = "quizzes"
    verbose_name = _("Quizzes")

    def ready(self):
        from courses.models import QuizPage
        from elearning.accounts.personal_data import personal_data_register
        from progress.activities import activity_register
        from progress.selectors import enrolment_data_register

        from .selectors import accommodations_data, attempts_data, placements_passed
        from .services import attempts_forget
        from .views import quiz_page

        # Courses and progress do not import the quiz app: it tells them how a quiz page is
        # served, which quiz placements a learner has passed, and what the learner's
        # download shows of their attempts.
        QuizPage.serve_with(quiz_page)
        activity_register("quiz", passed=placements_passed)
        enrolment_data_register("attempts", attempts_data)
        personal_data_register("quizzes", forget=attempts_forget)
        # Issue 14: free-text answers are kept no longer than RETENTION_FREE_TEXT_DAYS.
        from elearning.core.retention import retention_register

        from .retention import free_text_describe, free_text_erase

        retention_register(
            "quiz-free-text",
            setting="RETENTION_FREE_TEXT_DAYS",
            describe=free_text_describe,
            apply=free_text_erase,
            order=20,
        )
        # Issue 14: the learner's time accommodations (the rows go with the account).
        personal_data_register("time_accommodations", export=accommodations_data)
