"""What an auditor sees of one application: the timeline (who, in which roles, why, what changed),
the rule version of each event, letters and notices sent, the money ledger and the chain's verification.

Labels are resolved here in the reader's language, so the page, the CSV and the PDF say the same thing;
rule-file keys (states, triggers, roles, fields) never reach a Korean page as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from workflow.audit.faults import ChainFault
from workflow.audit.verify import verify_chain
from workflow.models import LedgerEntry, OutboxMessage, User
from workflow.services.finance import KIND_LABELS
from workflow.services.status import application_view
from workflow.vocabulary.roles import role_labels

DETAIL_TEXT = {
    "review_assigned": {"ko": "심사위원: {reviewer}", "en": "reviewer: {reviewer}"},
    "review_declared": {"ko": "{reviewer}: {coi}", "en": "{reviewer}: {coi}"},
    "review_submitted": {"ko": "{reviewer}: 총점 {total}점", "en": "{reviewer}: {total} points in all"},
    "member_added": {"ko": "참여자: {user}", "en": "member: {user}"},
    "internal_note": {"ko": "내부 메모: {text}", "en": "internal note: {text}"},
}
REPLACES_TEXT = {"ko": " ({replaced} 대신)", "en": " (replacing {replaced})"}
COI_TEXT = {
    "none": {"ko": "이해충돌 없음", "en": "no conflict of interest"},
    "conflict": {"ko": "이해충돌 있음(배제)", "en": "conflict of interest (excluded)"},
    "exclusion": {"ko": "이해충돌: 제척", "en": "conflict of interest: exclusion"},
    "recusal": {"ko": "이해충돌: 회피", "en": "conflict of interest: recusal"},
}
NOTICE_STATUS = {
    "pending": {"ko": "대기", "en": "pending"},
    "queued": {"ko": "발송 대기", "en": "queued"},
    "sent": {"ko": "발송됨", "en": "sent"},
    "failed": {"ko": "실패", "en": "failed"},
}


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    seq: int
    at: object
    actor: str
    roles: str
    action: str
    from_state: str
    to_state: str
    reason: str
    changes: list[Change]
    detail: str
    rule: tuple[str, str, str]  # key, version, sha256
    hash: str


@dataclass
class AuditView:
    view: object
    entries: list[Entry]
    notices: list[dict]
    ledger: list[dict]
    fault: ChainFault | None
    title: str
    state: str
    people: dict[int, str] = field(default_factory=dict)


YES_NO = {True: {"ko": "예", "en": "yes"}, False: {"ko": "아니오", "en": "no"}}
AUTOMATIC = {"ko": "자동 단계", "en": "automatic step"}
SYSTEM_NAME = {"ko": "시스템", "en": "System"}


def _text(value, spec, lang: str) -> str:
    """A stored value as people read it: choices by their labels, files by their names."""
    if value is None:
        return "—"
    if isinstance(value, dict) and "name" in value:  # an uploaded file's reference
        return str(value["name"])
    if isinstance(value, bool):
        return YES_NO[value][lang]
    choices = {c.value: c.label.get(lang) for c in (getattr(spec, "choices", None) or [])}
    if isinstance(value, list):
        return ", ".join(choices.get(str(v), str(v)) for v in value)
    return choices.get(str(value), str(value))


def _action(program, trigger: str, lang: str) -> str:
    for transition in program.transitions:
        automatic = transition.spec.auto or set(transition.spec.roles) == {"system"}
        if transition.trigger == trigger and transition.spec.label is None and automatic:
            return AUTOMATIC[lang]
    return program.trigger_label(trigger).get(lang)


def _state(program, state: str | None, lang: str) -> str:
    if state is None:
        return "—"
    try:
        return program.state_label(state, lang)
    except KeyError:  # a state of an earlier version
        return state


def _detail(detail: dict | None, people: dict[int, str], lang: str) -> str:
    if not detail or detail.get("kind") not in DETAIL_TEXT:
        return ""
    reviewer = people.get(detail.get("reviewer_id"), "—")
    values = {
        "reviewer": reviewer,
        "coi": COI_TEXT.get(detail.get("declaration") or detail.get("coi"), {}).get(lang, ""),
        "total": detail.get("total"),
        "user": people.get(detail.get("user_id"), "—"),
        "text": detail.get("text", ""),
    }
    text = DETAIL_TEXT[detail["kind"]][lang].format(**values)
    if detail.get("replaces") is not None:
        text += REPLACES_TEXT[lang].format(replaced=people.get(detail["replaces"], "—"))
    return text


def audit_view(workflow, connection, application_id: int, lang: str, verify: bool = True) -> AuditView:
    view = application_view(workflow, connection, application_id, with_reviews=True, staff_notes=True)
    program = view.program
    keys = ("reviewer_id", "user_id", "replaces")
    ids = {e["detail"].get(k) for e in view.events if e["detail"] for k in keys}
    ids.discard(None)
    people = dict(connection.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    fields = program.fields
    entries = []
    for event in view.events:
        changes = []
        for name, (old, new) in sorted(event["diff"].items()):
            spec = fields.get(name)
            label = spec.label.get(lang) if spec else name
            changes.append(Change(label, _text(old, spec, lang), _text(new, spec, lang)))
        entries.append(
            Entry(
                seq=event["seq"],
                at=event["at"],
                actor=event["actor_name"] if event["actor_id"] is not None else SYSTEM_NAME[lang],
                roles=role_labels(event["actor_roles"], lang, program.role_kinds),
                action=_action(program, event["trigger"], lang),
                from_state=_state(program, event["from_state"], lang),
                to_state=_state(program, event["to_state"], lang),
                reason=event["reason"] or "",
                changes=changes,
                detail=_detail(event["detail"], people, lang),
                rule=(event["program_key"], event["program_version"], event["definition_sha"]),
                hash=event["hash"],
            )
        )
    notices = [
        {
            "seq": row.event_seq,
            "notice": row.notice,
            "template": row.template,
            "status": NOTICE_STATUS.get(row.status, {}).get(lang, row.status),
            "created_at": row.created_at,
            "sent_at": row.sent_at,
        }
        for row in connection.execute(
            select(OutboxMessage)
            .where(OutboxMessage.application_id == application_id)
            .order_by(OutboxMessage.id)
        )
    ]
    ledger = [
        {"at": row.at, "kind": KIND_LABELS[row.kind][lang], "amount": row.amount, "seq": row.event_seq}
        for row in connection.execute(
            select(LedgerEntry).where(LedgerEntry.application_id == application_id).order_by(LedgerEntry.id)
        )
    ]
    return AuditView(
        view=view,
        entries=entries,
        notices=notices,
        ledger=ledger,
        fault=verify_chain(connection, application_id) if verify else None,
        title=program.title_of(view.row.data) if hasattr(program, "title_of") else "",
        state=_state(program, view.row.state, lang),
        people=people,
    )
