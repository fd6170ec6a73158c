"""What the notice pages read and change: a user's in-app notices, e-mail preferences per kind, the
failed notices officers may retry, and the demo mail folder. Functions that change rows own their
transaction."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from workflow.engine.actors import Actor
from workflow.models import Application, Letter, NoticeDelivery, NoticePreference, Notification, OutboxMessage
from workflow.notices.account_mail import SECRET_TEMPLATES
from workflow.notices.dialect import insert_ignoring_duplicates
from workflow.notices.mail import folder_path, parse_mail
from workflow.notices.staff import STAFF_KINDS, staff_roles
from workflow.storage.mails import kept_mail_bytes
from workflow.vocabulary.roles import ROLES, roles_that

RETRY_ROLES = frozenset(roles_that("manage"))


def notice_kinds(registry, actor: Actor | None = None) -> dict[str, bool]:
    """Every template the loaded programs use → True if any notice using it is statutory.

    Given an actor, only the kinds that can reach them: notices to a role they hold (globally or for
    a program), or to the applicant's side (owner and members), which anyone can be."""
    kinds: dict[str, bool] = {}
    for program in registry.current.values():
        for notice in program.spec.notices.values():
            if actor is not None and not _reaches(program, notice.to, actor):
                continue
            kinds[notice.template] = kinds.get(notice.template, False) or notice.statutory
        if actor is None or _reaches(program, staff_roles(program), actor, applicant_side=False):
            for kind in STAFF_KINDS:  # the notices every program's officers get (notices/staff.py)
                kinds.setdefault(kind, False)
    return dict(sorted(kinds.items()))


def _reaches(program, recipients, actor: Actor, applicant_side: bool = True) -> bool:
    held = set(actor.roles) | set(actor.program_roles.get(program.key, ()))
    return any(role in held or (applicant_side and _applicant_side(program, role)) for role in recipients)


def _applicant_side(program, role: str) -> bool:
    custom = program.spec.custom_roles.get(role)
    if custom is not None:
        return custom.like == "applicant_side"
    return role in ROLES and ROLES[role].held_by in ("owner", "member")


def inbox(connection, user_id: int, limit: int = 100) -> list[dict]:
    """The user's notices, newest first, each with the letter that came with it (if any)."""
    rows = [
        dict(row)
        for row in connection.execute(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        ).mappings()
    ]
    letters = dict(
        connection.execute(
            select(Letter.outbox_id, Letter.id).where(
                Letter.user_id == user_id, Letter.outbox_id.in_([r["outbox_id"] for r in rows])
            )
        ).all()
    )
    for row in rows:
        row["letter_id"] = letters.get(row["outbox_id"])
    return rows


# shown in the menu of every page: built once
UNREAD_COUNT = (
    select(func.count())
    .select_from(Notification)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
)


def unread_count(connection, user_id: int) -> int:
    return connection.execute(UNREAD_COUNT, {"user_id": user_id}).scalar_one()


def mark_read(engine, user_id: int, notification_id: int | None, now) -> int:
    """Mark one of the user's notices (or all of them) read; the number changed."""
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    with engine.begin() as connection:
        return connection.execute(query.values(read_at=now)).rowcount


def preferences(connection, registry, user_id: int, actor: Actor | None = None) -> list[dict]:
    """One row per kind: whether it also comes by e-mail (statutory kinds always do)."""
    chosen = dict(
        connection.execute(
            select(NoticePreference.kind, NoticePreference.email).where(NoticePreference.user_id == user_id)
        ).all()
    )
    return [
        {
            "kind": kind,
            "statutory": statutory,
            "email": True if statutory else chosen.get(kind, True),
        }
        for kind, statutory in notice_kinds(registry, actor).items()
    ]


def save_preferences(
    engine, registry, user_id: int, email_kinds: set[str], actor: Actor | None = None
) -> None:
    """Store the user's choice for every optional kind they were shown (statutory kinds are not stored:
    always e-mail)."""
    with engine.begin() as connection:
        for kind, statutory in notice_kinds(registry, actor).items():
            if statutory:
                continue
            wanted = kind in email_kinds
            if not insert_ignoring_duplicates(
                connection, NoticePreference, {"user_id": user_id, "kind": kind, "email": wanted}
            ):
                connection.execute(
                    update(NoticePreference)
                    .where(NoticePreference.user_id == user_id, NoticePreference.kind == kind)
                    .values(email=wanted)
                )


def _scope(query, actor: Actor):
    if "admin" in actor.roles:
        return query
    if actor.roles & RETRY_ROLES:  # officer for every program
        return query
    programs = [key for key, roles in actor.program_roles.items() if roles & RETRY_ROLES]
    return query.where(Application.program_key.in_(programs))


def failed_for(connection, actor: Actor) -> list[dict]:
    """Failed notices of the programs the actor runs (admins: all), with what each recipient got."""
    query = (
        select(
            OutboxMessage.id,
            OutboxMessage.application_id,
            OutboxMessage.notice,
            OutboxMessage.recipients,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
            Application.program_key,
        )
        .join(Application, Application.id == OutboxMessage.application_id)
        .where(OutboxMessage.status == "failed")
        .order_by(OutboxMessage.id.desc())
        .limit(500)
    )
    rows = [dict(row) for row in connection.execute(_scope(query, actor)).mappings()]
    sent = dict(
        connection.execute(
            select(NoticeDelivery.outbox_id, func.count())
            .where(NoticeDelivery.outbox_id.in_([r["id"] for r in rows]), NoticeDelivery.status == "sent")
            .group_by(NoticeDelivery.outbox_id)
        ).all()
    )
    for row in rows:
        row["emails_sent"] = sent.get(row["id"], 0)
    return rows


def retry_failed(service, actor: Actor, outbox_id: int | None) -> list[int]:
    """Put back the failed notices (one, or all) of the actor's programs; ids outside them are ignored."""
    with service.db.connect() as connection:
        ids = [row["id"] for row in failed_for(connection, actor)]
    if outbox_id is not None:
        ids = [i for i in ids if i == outbox_id]
    return service.relay.retry(ids) if ids else []


def mail_folder(service, connection, reader_id: int, admin: bool, limit: int = 50) -> list[dict]:
    """The demo's sent mail (no SMTP configured): the e-mails delivered to the reader, matched by the
    recipient's user id recorded with each delivery. Admins also see everyone else's, but of an account
    mail (a password-reset or confirmation link) only who got it and when, never its text."""
    query = (
        select(NoticeDelivery.message_id, NoticeDelivery.user_id, OutboxMessage.template)
        .join(OutboxMessage, OutboxMessage.id == NoticeDelivery.outbox_id)
        .where(NoticeDelivery.channel == "email", NoticeDelivery.status == "sent")
        .order_by(NoticeDelivery.id.desc())
        .limit(limit)
    )
    if not admin:
        query = query.where(NoticeDelivery.user_id == reader_id)
    mails = []
    for row in connection.execute(query).all():
        raw = _kept_mail(service, connection, row.message_id)
        if raw is None:
            continue
        mail = parse_mail(raw)
        mail["own"] = row.user_id == reader_id
        if not mail["own"] and row.template in SECRET_TEMPLATES:
            mail["text"], mail["withheld"] = "", True
        mails.append(mail)
    return mails


def _kept_mail(service, connection, message_id: str) -> bytes | None:
    """The bytes of a kept e-mail: from the shared store, or from NOTICE_MAIL_DIR when that is set."""
    if service.settings.mail_dir is None:
        return kept_mail_bytes(connection, service.blobs(), message_id)
    path = folder_path(service.settings.mail_dir, message_id)
    return path.read_bytes() if path.is_file() else None
