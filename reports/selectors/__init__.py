"""Reads for the manager reports: SQL aggregates over enrolments, a fixed number of queries
however many organisations, learners or months there are.

Every figure is computed from the organisation and role copied onto the enrolment when the
learner enrolled, so a move or a deleted account does not change past figures. One module a
purpose: ``figures`` (filters, figures, disclosure), ``grouped`` (the reports by course,
organisation, role, month, module), ``learners`` (the learner list, filter choices) and
``digest``.
"""

from .digest import (  # noqa: F401
    DigestRow,
    digest,
)
from .figures import (  # noqa: F401
    ALL_HIDDEN,
    SUPPRESSION_THRESHOLD,
    Figures,
    Filters,
    best_final_score,
    comparison_publication,
    comparison_roles,
    course_choices,
    course_titles,
    enrolments,
    facts,
    figures_by,
    figures_total,
    final_keys_current,
    final_test_keys,
    narrowed,
    role_given,
    scope_counties,
    withhold,
)
from .grouped import (  # noqa: F401
    CourseRow,
    ModuleRow,
    MonthRow,
    PlaceRow,
    RoleRow,
    modules,
    months,
    organisations,
    overview,
    roles,
)
from .learners import (  # noqa: F401
    LEARNER_SORTS,
    Place,
    learners,
    lesson_totals,
    place_choices,
)
