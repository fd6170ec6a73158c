"""Web blueprints, one per area. `init_app(app)` wires language, sign-in, security and every page."""

from __future__ import annotations

from workflow.web import account, auth, common, i18n, inputs, nav, pages, security, unavailable, urls
from workflow.web.i18n import lazy_gettext as _l


def init_app(app) -> None:
    inputs.init_app(app)  # before any route is registered: every <int:...> id is bounded
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    i18n.init_app(app)
    auth.init_app(app)
    auth.login_manager.login_message = _l("Please sign in to continue.")
    auth.login_manager.login_message_category = "info"
    security.init_app(app)
    unavailable.init_app(app)
    nav.init_app(app)
    urls.init_app(app)
    app.jinja_env.globals.update(
        state_label=common.state_label,
        trigger_label=common.trigger_label,
        program_title=common.program_title,
        language_name=common.language_name,
    )
    pages.init_app(app)
    account.init_app(app)
    for module in _area_modules():
        module.init_app(app)


def _area_modules() -> list:
    from workflow.web import (
        actions,
        admin,
        applicant,
        auditor,
        corrections,
        finance,
        invitations,
        members,
        notices,
        officer,
        officer_bulk,
        record,
        review,
        stats,
    )

    return [
        applicant,
        members,
        record,
        actions,
        review,
        officer,
        officer_bulk,
        corrections,
        auditor,
        admin,
        finance,
        notices,
        stats,
        invitations,
    ]
