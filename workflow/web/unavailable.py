"""The page for a database outage: 503 with `Retry-After`, "try again in a moment" in the reader's
language, and nothing on the way that needs the database — no signed-in user (Flask-Login would query
it), no navigation, no base template; the language from the session cookie or the browser.

Caught twice: a database error raised by a view (its own handler, more specific than `Exception`), and
one raised while another error page was being rendered (that becomes a 500 whose original exception is
the database error)."""

from __future__ import annotations

import logging

from flask import current_app, g, jsonify, make_response, request, session
from flask_babel import force_locale
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import InternalServerError

from workflow.ops.failures import log_once_per_kind
from workflow.web.i18n import LANGUAGES
from workflow.web.i18n import gettext as _

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def database_down(error: BaseException | None) -> bool:
    """A database that cannot be reached or is not answering, as opposed to a query that is wrong."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def _lang_without_database() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(LANGUAGES)
    return "en" if best == "en" and request.accept_languages.quality("ko") == 0 else "ko"


def unavailable_response(error: BaseException):
    log_once_per_kind(log, "database", error, "%s %s answered 503", request.method, request.path)
    lang = g.lang = _lang_without_database()  # what current_lang() answers from now on in this request
    with force_locale(lang):
        title = _("The service is briefly unavailable")
        hint = _("Please try again in a moment.")
        if request.accept_mimetypes.best == "application/json":
            response = jsonify(ok=False, message=f"{title}. {hint}")
        else:
            template = current_app.jinja_env.get_template("errors/unavailable.html")
            response = make_response(
                template.render(
                    lang=lang,
                    code=_("Error %(code)s", code=503),
                    title=title,
                    hint=hint,
                    again=_("Try again"),
                    site=_("Gangwon Digital Healthcare Grants"),
                    request=request,
                )
            )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app) -> None:
    for kind in (OperationalError, InterfaceError):
        app.register_error_handler(kind, unavailable_response)

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError):
        original = error.original_exception
        if database_down(original):
            return unavailable_response(original)
        from workflow.web.security import error_page

        try:
            return error_page(500)
        except Exception as failure:  # noqa: BLE001 - the error page itself needed the database
            if database_down(failure):
                return unavailable_response(failure)
            raise
