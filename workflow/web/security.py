"""Security headers, cookie settings, CSRF and friendly error pages (translated, never a trace)."""

from __future__ import annotations

import logging

from flask import current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from workflow.web.i18n import gettext as _
from workflow.web.request_state import request_globals, this_app, this_request

log = logging.getLogger(__name__)
csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be processed"), _("Please go back, reload the page and try again.")),
        403: (
            _("You do not have access to this page"),
            _("Sign in with an account that has the right role."),
        ),
        404: (_("Page not found"), _("The page does not exist or you are not allowed to see it.")),
        405: (_("This action is not possible here"), _("Please use the buttons on the page.")),
        413: (
            _("What you sent is too large"),
            _(
                "A form may send at most %(size)s MB at once, and its text fields must be shorter. "
                "Please choose a smaller file or shorten the text.",
                size=(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024),
            ),
        ),
        429: (_("Too many attempts"), _("Please wait a few minutes and try again.")),
        500: (_("Something went wrong on our side"), _("The error was recorded. Please try again later.")),
    }


def error_page(status: int, detail: str | None = None):
    titles = _titles()
    title, hint = titles.get(status, titles[500] if status >= 500 else titles[400])
    return render_template("errors/error.html", status=status, title=title, hint=detail or hint), status


def _add_headers(response):
    headers = response.headers
    # the names a view set itself (a file's own CSP), read once: werkzeug's `setdefault` raises and
    # catches a 400-style KeyError for every header not there yet, six on every page
    present = {name.lower() for name, _value in headers}
    for name, value in HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    if this_app().config.get("SESSION_COOKIE_SECURE") and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")  # TLS: keep to HTTPS
    endpoint = this_request().endpoint
    if endpoint and endpoint != "static":
        # pages and downloads (files, letters, CSV) are per user: never kept by a browser or a proxy
        # (send_file's own `no-cache` still lets them store a copy)
        response.headers["Cache-Control"] = "no-store"
    return response


def _limit_plain_forms() -> None:
    """A form without files is read into memory whole (werkzeug applies MAX_FORM_MEMORY_SIZE only to the
    text fields of a multipart form), so its whole body gets that limit; uploads keep MAX_CONTENT_LENGTH."""
    this, config = this_request(), this_app().config
    if this.mimetype != "multipart/form-data" and config.get("MAX_FORM_MEMORY_SIZE"):
        this.max_content_length = min(
            config["MAX_FORM_MEMORY_SIZE"], config.get("MAX_CONTENT_LENGTH") or 2**63
        )


def page_csrf_token() -> str:
    """Flask-WTF's `csrf_token()` for templates, worked out once per request: a page has a form per action
    and two in its frame, and each call signs the token again."""
    state = request_globals()
    token = state.get("page_csrf_token")
    if token is None:
        token = state.page_csrf_token = generate_csrf()
    return token


def init_app(app) -> None:
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:  # the client's address is the one the nearest trusted proxy saw (X-Forwarded-For)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    for name in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        app.config[name] = app.config.get(name) or "Lax"
    app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the session's lifetime bounds the token
    app.before_request(_limit_plain_forms)  # before CSRF, which is the first to read the form
    csrf.init_app(app)
    app.jinja_env.globals["csrf_token"] = page_csrf_token
    app.after_request(_add_headers)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        if request.accept_mimetypes.best == "application/json":  # autosave: the page keeps the input
            message = _("Your session expired. Sign in again; your entries stay on this page.")
            return jsonify(ok=False, message=message), 400
        return error_page(
            400, _("The form expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(SecurityError)
    def _untrusted_host(error):
        # a Host outside TRUSTED_HOSTS: no URL can be built for it, so no page with links either
        return _("This site does not answer to that host name."), 400, {"Content-Type": "text/plain"}

    @app.errorhandler(HTTPException)
    def _http(error):
        if request.accept_mimetypes.best == "application/json":  # autosave shows `message`
            title, hint = _titles().get(error.code, _titles()[400])
            message = f"{title}. {getattr(error, 'detail', None) or hint}"
            return jsonify(ok=False, message=message), error.code or 500
        return error_page(error.code or 500, getattr(error, "detail", None))

    @app.errorhandler(Exception)
    def _unexpected(error):
        log.exception("unhandled error on %s", request.path)
        return error_page(500)
