"""Sign-in, sign-out, sign-up, password reset and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from forms.auth import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    ResetForm,
    ResetRequestForm,
    SignupForm,
)
from workflow.services import accounts, profile
from workflow.web import sessions
from workflow.web.auth import db, workflow
from workflow.web.i18n import LANGUAGES, current_lang
from workflow.web.i18n import gettext as _

bp = Blueprint("account", __name__)


def _errors() -> dict[str, str]:
    return {
        "password_short": _("Use at least 10 characters."),
        "password_weak": _(
            "This password is too easy to guess (a common word, a pattern, or your name or e-mail). "
            "Try a few unrelated words together."
        ),
        "current_wrong": _("The current password is not correct."),
        "email_taken": _("An account with this e-mail already exists. Sign in or reset the password."),
        "token_expired": _("The reset link has expired. Ask for a new one."),
        "token_invalid": _("The reset link is not valid any more. Ask for a new one."),
        "verify_expired": _("The confirmation link has expired. Sign in and ask for a new one."),
        "verify_invalid": _("The confirmation link is not valid. Sign in and ask for a new one."),
        "invite_expired": _("This invitation link has expired. Ask the administrator to send a new one."),
        "invite_used": _(
            "This invitation link no longer works: it was used already, or a newer invitation replaced it. "
            "If you set your password, sign in; otherwise ask the administrator for a new invitation."
        ),
        "invite_invalid": _("This is not a valid invitation link. Check that the whole link was copied."),
    }


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in or a language switch."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("pages.home")


def _limits():
    return current_app.extensions["signin_limits"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = accounts.authenticate(
            db(), _limits(), form.email.data, form.password.data, request.remote_addr or "-"
        )
        if result.limited:
            return render_template("auth/login.html", form=form, limited=True), 429
        if result.user_id is not None:
            from workflow.web.auth import _load_user

            accounts.record_signin(db(), result.user_id, workflow().clock())
            session.clear()
            sessions.start(result.generation)
            login_user(_load_user(str(result.user_id)))
            flash(_("You are signed in."), "success")
            return redirect(safe_next(form.next.data))
        form.password.errors.append(_("The e-mail or password is not correct."))
    return render_template("auth/login.html", form=form, limited=False)


@bp.post("/logout")
def logout():
    lang = session.get("lang")
    if current_user.is_authenticated:
        accounts.sign_out(db(), int(current_user.id))  # this cookie, and every copy of it, ends here
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        if form.kind.data == "company" and not (form.organisation.data or "").strip():
            form.organisation.errors.append(_("Enter the company name."))
        else:
            try:
                accounts.sign_up(
                    workflow(),
                    form.email.data,
                    form.name.data,
                    form.password.data,
                    form.organisation.data,
                    form.kind.data,
                    current_lang(),
                )
            except accounts.AccountError as error:
                field = form.password if error.code.startswith("password_") else form.email
                field.errors.append(_errors()[error.code])
            else:
                flash(
                    _(
                        "Your account is ready. We sent you an e-mail: open its link to confirm your "
                        "address before you apply. Please sign in."
                    ),
                    "success",
                )
                return redirect(url_for("account.login"))
    return render_template("auth/signup.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_reset(workflow(), form.email.data)
        flash(_("If the address has an account, we sent a link to reset the password."), "info")
        return redirect(url_for("account.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    form = ResetForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db(), current_app.config["SECRET_KEY"], token, form.password.data)
        except accounts.AccountError as error:
            form.password.errors.append(_errors()[error.code])
        else:
            flash(_("Your password was changed. Please sign in."), "success")
            return redirect(url_for("account.login"))
    return render_template("auth/reset.html", form=form)


def _account_page(profile_form: ProfileForm | None = None, password_form=None):
    """The account page: profile details and the password, each a form of its own."""
    if profile_form is None:
        with db().connect() as connection:
            stored = profile.profile_of(connection, int(current_user.id))
        profile_form = ProfileForm(formdata=None, data=stored)
    return render_template(
        "auth/account.html",
        form=profile_form,
        password_form=password_form or ChangePasswordForm(formdata=None),
        email=current_user.email,
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile_page():
    if request.method == "GET":
        return _account_page()
    form = ProfileForm()
    if form.validate_on_submit():
        profile.update_profile(
            db(),
            int(current_user.id),
            form.name.data,
            form.organisation.data,
            form.phone.data,
            form.language.data,
        )
        session["lang"] = form.language.data
        g.pop("lang", None)
        flash(_("Your account details were saved."), "success")
        return redirect(url_for("account.profile_page"))
    return _account_page(profile_form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if request.method == "GET":
        return _account_page(password_form=ChangePasswordForm(formdata=None))
    if form.validate_on_submit():
        try:
            generation = accounts.change_password(
                db(), int(current_user.id), form.current.data, form.password.data
            )
        except accounts.AccountError as error:
            field = form.current if error.code == "current_wrong" else form.password
            field.errors.append(_errors()[error.code])
        else:
            sessions.renew(generation)  # this browser stays signed in; every other session ends
            flash(_("Your password was changed. Other devices were signed out."), "success")
            return redirect(url_for("account.profile_page"))
    return _account_page(password_form=form)


@bp.get("/account/verify/<token>")
def verify(token: str):
    try:
        accounts.verify_email(workflow(), current_app.config["SECRET_KEY"], token)
    except accounts.AccountError as error:
        flash(_errors()[error.code], "error")
    else:
        flash(_("Your e-mail address is confirmed. You can apply to programs now."), "success")
    return redirect(url_for("pages.home"))


@bp.post("/account/verify/resend")
@login_required
def resend_verification():
    if accounts.resend_verification(workflow(), int(current_user.id)):
        flash(_("We sent a new confirmation link to your e-mail address."), "info")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/language")
def language():
    form = LanguageForm()
    lang = form.lang.data if form.validate_on_submit() else None
    if lang in LANGUAGES:
        session["lang"] = lang
        g.pop("lang", None)
        if current_user.is_authenticated:
            accounts.set_language(db(), int(current_user.id), lang)
    return redirect(safe_next(form.next.data))


def init_app(app) -> None:
    app.extensions["signin_limits"] = accounts.make_limits(
        app.config.get("RATE_LIMIT_REDIS_URL") or app.config.get("REDIS_URL")
    )
    app.register_blueprint(bp)
    _register_account_links(app)


def _register_account_links(app) -> None:
    """The links in account e-mails: signed when the e-mail is prepared, built from BASE_URL."""
    service = app.extensions.get("notices")
    if service is None:
        return
    secret, base = app.config["SECRET_KEY"], service.settings.base_url

    def reset_link(connection, user_id: int) -> str | None:
        token = accounts.reset_token_for(connection, secret, user_id)
        return f"{base}/password/reset/{token}" if token else None

    def verify_link(connection, user_id: int) -> str | None:
        token = accounts.verification_token(connection, secret, user_id)
        return f"{base}/account/verify/{token}" if token else None

    service.account_links.update(password_reset=reset_link, verify_email=verify_link)
