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
    # the page its holders use for one application (`{id}`): where a notice to them links
    page: str = "/applications/{id}"

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_ko

    @property
    def audience(self) -> str:
        """Whose wording its holders read: "applicant" for the applicant's side (the owner and the
        members), "staff" for everyone else (staff, reviewers, a program's own staff- or reviewer-like roles)."""
        return "applicant" if self.held_by in APPLICANT_SIDE else "staff"

    def application_page(self, application_id: int) -> str:
        return self.page.format(id=application_id)


APPLICANT_SIDE = frozenset({"owner", "member"})  # how the applicant's side holds its roles
MANAGE = frozenset({"board", "manage", "staff_view"})  # runs a program: board, assignments, decisions
STATS = frozenset({"stats"})  # reads the performance and statistics dashboard
OFFICER_PAGE = "/officer/applications/{id}"
ROLES: dict[str, RoleKind] = {
    r.name: r
    for r in (
        RoleKind("applicant", "owner", label_ko="신청인", label_en="applicant"),
        RoleKind("co_applicant", "member", label_ko="공동신청인", label_en="co-applicant"),
        RoleKind("reviewer", "assignment", label_ko="평가위원", label_en="reviewer", page="/review/{id}"),
        RoleKind(
            "officer",
            "program",
            label_ko="사업담당자",
            label_en="program officer",
            may=MANAGE | STATS,
            page=OFFICER_PAGE,
        ),
        RoleKind(
            "lead_officer",
            "program",
            label_ko="책임담당자",
            label_en="lead officer",
            may=MANAGE | STATS,
            page=OFFICER_PAGE,
        ),
        RoleKind(
            "finance",
            "program",
            label_ko="재무담당자",
            label_en="finance officer",
            may=frozenset({"board", "staff_view", "finance", "finance_read"}),
            page="/finance/awards/{id}",
        ),
        RoleKind(
            "auditor",
            "global",
            may_fire=False,
            label_ko="감사인",
            label_en="auditor",
            may=frozenset({"staff_view", "finance_read", "audit", "read_all"}) | STATS,
            page="/auditor/applications/{id}",
        ),
        RoleKind(
            "admin",
            "global",
            label_ko="관리자",
            label_en="administrator",
            may=MANAGE | STATS | {"finance", "finance_read", "audit", "read_all", "admin"},
            page=OFFICER_PAGE,
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
