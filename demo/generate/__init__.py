"""A realistic large data set for benchmarks and demos of the manager reports.

``dataset_generate`` (``manage.py reports_generate``) writes learners, their enrolments,
lesson progress, module completions, quiz attempts and learning events straight into the
real tables, so reports computed from them behave as on a real installation. It never calls
the progress services: those queue xAPI statements and e-mails, which a data set must not.
No ``OutboxStatement``, ``AttemptAnswer`` or ``Certificate`` rows are made.

What is generated (ratios are targets; the exact numbers depend on the seed):

- Courses: the demo course "Folkhälsopolitik för kommuner och regioner" (Swedish and English,
  5 modules, 18 lessons, a quiz per module, a final test) and, with ``courses`` 2 or 3, two
  smaller Swedish courses (3 modules × 3 lessons, a quiz per module, a final test). They are
  real published pages, made once and reused by later runs.
- Learners: e-mail ``learnerNNNNNN@generated.example`` (that domain marks everything this
  module made; real users are never touched), common Swedish names, an unusable password,
  in the learners' group. Organisation: 80 % a municipality, 13 % a region, 5 % a county
  board, 2 % a national body. Municipalities are weighted by a rough participation weight:
  the twelve largest cities by population (Stockholm ≈ 1,000 down to Lund ≈ 130, in
  thousands), 34 very small municipalities 0.8, the rest a log-normal weight around 15; so
  at 100,000 learners the small ones have a handful of learners and fewer than 5 in some
  course (the reports' small-group suppression shows). Regions are weighted like their
  county's municipalities, county boards and national bodies evenly. Role: elected 20 %,
  official 55 %, manager 15 %, other 10 %. Language: Swedish 95 %, English 5 %.
- Enrolments: 1 course (72 %), 2 (20 %) or 3 (8 %) per learner, about 1.35 on average; the
  demo course is chosen most (weights 55:27:18). Enrolment times are spread over the last
  ``months`` months with growth (three times as many enrolments per day at the end as at
  the start), on weekdays mostly. Organisation and role are copied from the learner.
- Progress: about 47 % of enrolments are meant to complete, after a log-normal number of
  days (median about 0.6 day per lesson, some take months); those whose completion would lie
  in the future are still in progress, so about 45 % end up completed (a run at 55 % gave
  53 %). The others drop out along the course (12 % never start, then each lesson or quiz
  is passed by 85 % of those who reach it), so later modules are reached by fewer; half
  of those who stop leave a lesson started, or fail a quiz once or twice before stopping.
  Lessons are done in order, in sessions of a few lessons with breaks of days between
  them; time spent is about the lesson's estimate. A quarter of those inactive for more
  than 30 days left the course; most of those inactive for 14 days got a reminder.
- Quiz attempts: a module quiz is passed at the first attempt by 78 %, at the second by
  17 %, at the third by 5 %; the final test (at most 3 attempts) by 65 %, 25 %, 10 %. The
  score matches pass or fail against the pass mark (and the course's minimum score).
  ``questions`` is a compact snapshot (question id, type and points, no texts) to keep the
  data set small.
- Learning events: ``enrolled``, ``lesson_completed`` (with ``duration_seconds``),
  ``module_completed``, ``quiz_passed``/``quiz_failed`` (with the score), ``course_completed``
  (with the rule) and ``left``, at the times of the rows they describe. Not generated:
  ``lesson_started``, ``question_answered``, ``certificate_issued``.
- Managers: a national one, one for Skåne län and one for Malmö, in the managers' group,
  with the password ``MANAGER_PASSWORD`` (printed), e-mail ``manager-…@generated.example``.

Times: "now" is the start of the current day (UTC), so two runs on the same day with the same
seed write the same rows (only database ids differ). On PostgreSQL the rows are written with
COPY in chunks of learners, in one transaction; on other databases with ``bulk_create``
(slow, for small numbers).
"""

from .dataset import dataset_delete, dataset_generate, generated_users
from .shares import DOMAIN, MANAGER_PASSWORD, MAX_COURSES, GenerateError

__all__ = [
    "DOMAIN",
    "MANAGER_PASSWORD",
    "MAX_COURSES",
    "GenerateError",
    "dataset_delete",
    "dataset_generate",
    "generated_users",
]
