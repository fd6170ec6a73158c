"""The roles a rule file may name, and how each is held: globally, per program, or by relationship.

The built-in roles are here; a rule file may declare more under `custom_roles:` (a selection
committee, an external evaluator, a ministry liaison), each like one of the built-in families:
`staff` and `reviewer` (granted per program in /admin) or `applicant_side` (linked to an application
as a member). Every set of roles the pages and services check ("who runs a program's board") comes
from the capabilities here (`roles_that`), never from a literal list. How to add one: workflow/vocabulary/ROLES.md.
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
    may: frozenset[str] = frozenset()  # capabilities: board, manage, finance, finance_read, audit, ...
    like: str = ""  # for a program's own role: staff | reviewer | applicant_side

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_ko


MANAGE = frozenset({"board", "manage", "staff_view"})  # runs a program: board, assignments, decisions
ROLES: dict[str, RoleKind] = {
    r.name: r
    for r in (
        RoleKind("applicant", "owner", label_ko="신청인", label_en="applicant"),
        RoleKind("co_applicant", "member", label_ko="공동신청인", label_en="co-applicant"),
        RoleKind("reviewer", "assignment", label_ko="평가위원", label_en="reviewer"),
        RoleKind("officer", "program", label_ko="사업담당자", label_en="program officer", may=MANAGE),
        RoleKind("lead_officer", "program", label_ko="책임담당자", label_en="lead officer", may=MANAGE),
        RoleKind(
            "finance",
            "program",
            label_ko="재무담당자",
            label_en="finance officer",
            may=frozenset({"board", "staff_view", "finance", "finance_read"}),
        ),
        RoleKind(
            "auditor",
            "global",
            may_fire=False,
            label_ko="감사인",
            label_en="auditor",
            may=frozenset({"staff_view", "finance_read", "audit", "read_all"}),
        ),
        RoleKind(
            "admin",
            "global",
            label_ko="관리자",
            label_en="administrator",
            may=MANAGE | {"finance", "finance_read", "audit", "read_all", "admin"},
        ),
        RoleKind("system", "system", label_ko="시스템", label_en="system"),
    )
}
STAFF_HELD_BY = frozenset({"program", "global"})
# what a program's own role is like → how it is held, and what it may do beyond firing its transitions
LIKE = {
    "staff": ("program", frozenset({"staff_view"})),
    "reviewer": ("program", frozenset()),
    "applicant_side": ("member", frozenset()),
}


def roles_that(capability: str) -> tuple[str, ...]:
    """The built-in roles with a capability, e.g. roles_that("board") → officer, lead_officer, ..."""
    return tuple(sorted(name for name, kind in ROLES.items() if capability in kind.may))


def custom_role(name: str, label: dict, like: str) -> RoleKind:
    held_by, may = LIKE[like]
    return RoleKind(name, held_by, label_ko=label["ko"], label_en=label["en"], may=may, like=like)


def role_labels(names, lang: str, kinds: dict[str, RoleKind] | None = None) -> str:
    kinds = kinds or ROLES
    return ", ".join(kinds[n].label(lang) if n in kinds else n for n in names)
