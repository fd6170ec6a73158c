"""The invited person's side: open the mailed link, choose a password, be signed in. An expired, used
or replaced link gets a page that says so and what to do."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import login_user

from forms.auth import ResetForm
from workflow.services import accounts, invitations
from workflow.web import sessions
from workflow.web.account import _errors as account_errors
from workflow.web.auth import _load_user, db, workflow
from workflow.web.i18n import gettext as _

bp = Blueprint("invitation", __name__)

LINK_STATUS = {"invite_expired": 410, "invite_used": 410, "invite_invalid": 404}


def _max_age() -> int:
    return int(current_app.config.get("INVITE_MAX_AGE", invitations.INVITE_MAX_AGE))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept(token: str):
    secret = current_app.config["SECRET_KEY"]
    try:
        invitation = invitations.open_invitation(db(), secret, token, _max_age())
    except accounts.AccountError as error:
        return render_template("auth/invitation_closed.html", reason=error.code), LINK_STATUS[error.code]
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user_id, generation = invitations.accept(
                workflow(), secret, token, form.password.data, _max_age()
            )
        except accounts.AccountError as error:
            if error.code in LINK_STATUS:
                return render_template("auth/invitation_closed.html", reason=error.code), LINK_STATUS[
                    error.code
                ]
            form.password.errors.append(account_errors()[error.code])
        else:
            session.clear()
            sessions.start(generation)
            login_user(_load_user(str(user_id)))
            flash(_("Welcome! Your password is set and you are signed in."), "success")
            return redirect(url_for("pages.home"))
    return render_template("auth/invitation.html", form=form, invitation=invitation)


def init_app(app) -> None:
    app.register_blueprint(bp)
    service = app.extensions.get("notices")
    if service is None:
        return
    secret, base = app.config["SECRET_KEY"], service.settings.base_url

    def invitation_link(connection, user_id: int) -> str | None:
        token = invitations.invitation_token(connection, secret, user_id)
        return f"{base}/invitation/{token}" if token else None

    service.account_links["invitation"] = invitation_link
