"""The roles a rule file may name, and how each is held: globally, per program, or by relationship.

A rule file lists the roles it uses; the engine knows how to check each one against an actor and
an application. A new role kind plugs in here, not as an `if` in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleKind:
    name: str
    held_by: str  # "owner" | "member" | "assignment" | "program" | "global" | "system"
    may_fire: bool = True
    label_ko: str = ""
    label_en: str = ""

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_ko


ROLES: dict[str, RoleKind] = {
    r.name: r
    for r in (
        RoleKind("applicant", "owner", label_ko="신청인", label_en="applicant"),
        RoleKind("co_applicant", "member", label_ko="공동신청인", label_en="co-applicant"),
        RoleKind("reviewer", "assignment", label_ko="평가위원", label_en="reviewer"),
        RoleKind("officer", "program", label_ko="사업담당자", label_en="program officer"),
        RoleKind("lead_officer", "program", label_ko="책임담당자", label_en="lead officer"),
        RoleKind("finance", "program", label_ko="재무담당자", label_en="finance officer"),
        RoleKind("auditor", "global", may_fire=False, label_ko="감사인", label_en="auditor"),
        RoleKind("admin", "global", label_ko="관리자", label_en="administrator"),
        RoleKind("system", "system", label_ko="시스템", label_en="system"),
    )
}
STAFF_HELD_BY = frozenset({"program", "global"})


def role_labels(names, lang: str) -> str:
    return ", ".join(ROLES[n].label(lang) if n in ROLES else n for n in names)
