"""The packages that plug kinds into the engine's registries, wired by the app (not by the engine).

Importing a package registers what it owns: `workflow.engine.links` the `parent` and `children` guard
context; `workflow.money` its effects (award, pay_tranche,
recover, cancel_award), the `money` guard context and the budget publishing step;
`workflow.notices.channels` the notice channels. A deployment adds its own module (an SMS channel,
an effect of its own) to the `EXTENSIONS` setting.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

BUILT_IN = (
    "workflow.engine.links",
    "workflow.money",
    "workflow.notices.channels",
    "workflow.engine.capacity",
)


def install(modules: Iterable[str] = BUILT_IN) -> None:
    """Import each module once; importing is what registers its kinds."""
    for name in modules:
        importlib.import_module(name)
