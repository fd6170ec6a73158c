"""Staff and reviewer accounts made by an administrator: created switched off with their roles, and an
invitation mailed through the outbox; the invitee opens the link, chooses a password and is signed in.

The link is a signed token naming the user and the time of the invitation (`users.invited_at`): it works
once (accepting sets a password and clears `invited_at`), for `INVITE_MAX_AGE` seconds, and a new
invitation for the same account ends the older links. Everything is in the staff chain: the invitation
("invite", the account off), each role granted, and the acceptance ("accept_invite", the account on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import insert, select, update

from workflow.audit.staff import append_staff_event
from workflow.models import User, UserRole
from workflow.notices import account_mail
from workflow.services.accounts import AccountError, check_strength, end_sessions
from workflow.services.admin import AdminError, check_role, person
from workflow.services.users import find_user_id, hash_password

INVITE_MAX_AGE = 7 * 24 * 3600
SALT = "staff-invitation"


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str
    organisation: str | None
    language: str
    roles: tuple[tuple[str, str | None], ...]  # (role, program key or None for every program)


@dataclass(frozen=True)
class OpenInvitation:
    user_id: int
    name: str
    email: str
    organisation: str | None
    invited_at: datetime


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="microseconds")


def check_invitee(invitee: Invitee, programs) -> None:
    """Refuse (AdminError) an invitee without a role, or with a role that cannot be given."""
    if not invitee.roles:
        raise AdminError("no_role")
    for role, program_key in invitee.roles:
        check_role(role, program_key, programs)


def create_invited(
    connection, invitee: Invitee, now: datetime, actor: tuple[int | None, str]
) -> tuple[int, int]:
    """Insert the account (off, no password) with its roles and the staff events, and the invitation
    e-mail in the outbox, all in the caller's transaction; (user id, outbox id). Refuses a taken
    address."""
    if find_user_id(connection, invitee.email) is not None:
        raise AdminError("email_taken")
    user_id = connection.execute(
        insert(User)
        .values(
            email=invitee.email.strip().lower(),
            name=invitee.name.strip(),
            organisation=(invitee.organisation or "").strip() or None,
            language=invitee.language,
            password_hash=None,
            active=False,
            invited_at=now,
        )
        .returning(User.id)
    ).scalar_one()
    user = (user_id, invitee.name.strip())
    append_staff_event(connection, "invite", user, *actor, now)
    for role, program_key in dict.fromkeys(invitee.roles):
        connection.execute(insert(UserRole).values(user_id=user_id, role=role, program_key=program_key))
        append_staff_event(connection, "grant", user, *actor, now, role, program_key)
    return user_id, account_mail.add(connection, user_id, "invitation", now)


def invite(workflow, invitee: Invitee, programs, acting_user_id: int) -> int:
    """Create one invited account (see `create_invited`) and deliver its invitation after commit."""
    check_invitee(invitee, programs)
    now = workflow.clock()
    with workflow.db.begin() as connection:
        user_id, outbox_id = create_invited(connection, invitee, now, person(connection, acting_user_id))
    workflow.committed([outbox_id])
    return user_id


def resend(workflow, user_id: int, acting_user_id: int) -> None:
    """Mail a new invitation to an account that has no password yet; the older links stop working."""
    now = workflow.clock()
    with workflow.db.begin() as connection:
        row = connection.execute(select(User.password_hash, User.name).where(User.id == user_id)).first()
        if row is None:
            raise AdminError("unknown_user")
        if row.password_hash is not None:
            raise AdminError("already_accepted")
        connection.execute(update(User).where(User.id == user_id).values(invited_at=now))
        outbox_id = account_mail.add(connection, user_id, "invitation", now)
    workflow.committed([outbox_id])


def withdraw(db, user_id: int) -> bool:
    """End an open invitation (its links stop working; the account stays off). False if none was open."""
    with db.begin() as connection:
        return bool(
            connection.execute(
                update(User)
                .where(User.id == user_id, User.password_hash.is_(None), User.invited_at.is_not(None))
                .values(invited_at=None)
            ).rowcount
        )


def invitation_token(connection, secret: str, user_id: int) -> str | None:
    """The link's token for an open invitation (None when there is none: accepted or withdrawn)."""
    invited_at = connection.execute(
        select(User.invited_at).where(User.id == user_id, User.password_hash.is_(None))
    ).scalar()
    if invited_at is None:
        return None
    return _serializer(secret).dumps({"u": user_id, "i": _stamp(invited_at)})


def open_invitation(db, secret: str, token: str, max_age: int = INVITE_MAX_AGE) -> OpenInvitation:
    """The invitation a token stands for, if it can still be accepted; AccountError invite_expired,
    invite_used (accepted, withdrawn or replaced by a newer one) or invite_invalid (not ours)."""
    try:
        payload = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError("invite_expired") from None
    except BadSignature:
        raise AccountError("invite_invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise AccountError("invite_invalid")
    with db.connect() as connection:
        row = connection.execute(
            select(User.id, User.name, User.email, User.organisation, User.invited_at).where(
                User.id == payload["u"], User.password_hash.is_(None)
            )
        ).first()
    if row is None or row.invited_at is None or _stamp(row.invited_at) != payload.get("i"):
        raise AccountError("invite_used")
    return OpenInvitation(row.id, row.name, row.email, row.organisation, row.invited_at)


def accept(
    workflow, secret: str, token: str, password: str, max_age: int = INVITE_MAX_AGE
) -> tuple[int, int]:
    """Set the invitee's password (the sign-up rules), switch the account on and confirm its address;
    (user id, session generation) for signing in. The same link used twice at once: only one wins."""
    invitation = open_invitation(workflow.db, secret, token, max_age)
    check_strength(password, invitation.email, invitation.name, invitation.organisation)
    now = workflow.clock()
    with workflow.db.begin() as connection:
        changed = connection.execute(
            update(User)
            .where(
                User.id == invitation.user_id,
                User.password_hash.is_(None),
                User.invited_at == invitation.invited_at,
            )
            .values(
                password_hash=hash_password(password),
                active=True,
                invited_at=None,
                email_verified_at=now,
                last_signin_at=now,
            )
        ).rowcount
        if not changed:
            raise AccountError("invite_used")
        append_staff_event(
            connection,
            "accept_invite",
            (invitation.user_id, invitation.name),
            invitation.user_id,
            invitation.name,
            now,
        )
        generation = end_sessions(connection, invitation.user_id)
    return invitation.user_id, generation
