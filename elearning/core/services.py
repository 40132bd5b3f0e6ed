"""Setting up a site: what every installation needs, safe to run on every deploy.

Each app registers the step it needs (the organisation register, the page skeleton, the
role groups, the LRS named in the environment) in its ``AppConfig.ready()``; the platform
core imports none of them.
"""

from collections.abc import Callable

from django.db import transaction

_steps: dict[str, tuple[int, Callable[[], None]]] = {}


def setup_step_register(name: str, step: Callable[[], None], *, order: int = 100) -> None:
    """Run ``step()`` in ``site_setup``, steps in ascending ``order`` (then by name)."""
    _steps[name] = (order, step)


@transaction.atomic
def site_setup() -> None:
    """Organisations, page skeleton, role groups and the LRS named in the environment (every
    registered step, in order); idempotent."""
    for _order, _name, step in sorted(
        (order, name, step) for name, (order, step) in _steps.items()
    ):
        step()
