"""The shape of a rule file (pydantic, every mapping closed: an unknown key is an error).

Cross-references (states, roles, fields, notices, templates, guards) are checked in `checks.py`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=80)]
OneOrMany = Name | list[Name]

PROGRAM_KINDS = ("support_program", "regulation_exception", "incentive", "event", "research")


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class I18n(Closed):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.ko


class Choice(Closed):
    value: str
    label: I18n


class FieldSpec(Closed):
    name: Name
    type: str
    label: I18n
    help: I18n | None = None
    required: bool = False
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = None
    min: int | None = None
    max: int | None = None
    choices: list[Choice] | None = None
    accept: list[str] | None = None
    max_mb: int | None = Field(default=None, ge=1, le=200)


class ShareLimit(Closed):
    """One field's share of a stage total, with the limits the program sets (percent of the total)."""

    field: Name
    label: I18n
    max_percent: float | None = Field(default=None, ge=0, le=100)
    min_percent: float | None = Field(default=None, ge=0, le=100)


class StageTotal(Closed):
    """A sum of number fields shown live beside them, and the shares of it each field may take."""

    label: I18n
    sum: list[Name] = Field(min_length=2)
    shares: list[ShareLimit] = []


class Correction(Closed):
    """Staff (or other named roles) may correct the stage in these states, with a reason, as a history event."""

    roles: list[Name] = Field(min_length=1)
    states: list[Name] = Field(alias="in", min_length=1)


class StageSpec(Closed):
    title: I18n
    action_label: I18n | None = None  # the button that opens the stage's form; default "<title> 작성하기"
    editable_in: list[Name] = Field(min_length=1)
    edit_roles: list[Name] = ["applicant"]
    corrections: list[Correction] = []
    fields: list[FieldSpec] = Field(min_length=1)
    review_visible: bool | None = None  # reviewers see this stage; default: only the first stage
    terms: I18n | None = None  # text the applicant reads above the form before accepting (e.g. an agreement)
    totals: list[StageTotal] = []  # live totals and share limits, checked whenever the stage is required


class RubricItem(Closed):
    name: Name
    max: int = Field(ge=1)
    label: I18n
    description: I18n | None = None  # what the criterion looks at (call page, reviewers)
    guide: I18n | None = None  # how points are given, e.g. "25–30: ..., 15–24: ..."


class ReviewerKind(Closed):
    label: I18n


class ReviewSpec(Closed):
    rubric: list[RubricItem] = Field(min_length=1)
    kinds: dict[Name, ReviewerKind] = {}  # reviewer kinds chosen at assignment (internal, external, ...)
    reviewers_per_application: int = Field(default=3, ge=1)  # assignment refuses one more
    assign_in: list[Name] = []  # states besides the `review: true` ones where reviewers may be assigned


class OnExpiry(Closed):
    fire: Name | None = None
    notice: Name | None = None


class Reminder(Closed):
    days_before: int = Field(ge=1)
    notice: Name


# a whole number written in the file, or an expression over `data` giving one (checked at load)
Count = Annotated[int, Field(ge=1)] | Annotated[str, StringConstraints(min_length=1, max_length=500)]
DURATION_UNITS = ("days", "business_days", "months", "years")


class Deadline(Closed):
    """When a state's time runs out: one of `days`, `business_days`, `months`, `years` counted from
    entering the state (or from the date `from:` gives), or the `date:` an expression gives."""

    days: Count | None = None  # calendar days
    business_days: Count | None = None  # weekdays that are not Korean public holidays
    months: Count | None = None
    years: Count | None = None
    date: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    start: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = Field(
        default=None, alias="from"
    )
    at: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "18:00"
    on_expiry: OnExpiry
    reminders: list[Reminder] = []

    @model_validator(mode="after")
    def _one_measure(self):
        given = [unit for unit in (*DURATION_UNITS, "date") if getattr(self, unit) is not None]
        if len(given) != 1:
            raise ValueError(
                "a deadline needs exactly one of days, business_days, months, years or date"
                + (f" (it has {', '.join(given)})" if given else "")
            )
        if self.date is not None and self.start is not None:
            raise ValueError("a deadline with date: counts from nothing; remove from:")
        return self

    @property
    def unit(self) -> str:
        return next(u for u in (*DURATION_UNITS, "date") if getattr(self, u) is not None)

    @property
    def amount(self) -> int | str:
        value = getattr(self, self.unit)
        assert value is not None
        return value

    def describe(self) -> str:
        """Short text for diagrams: '14d', '10 business_days', 'data.term_years years from data.start'."""
        if self.date is not None:
            return f"on {self.date}"
        amount = f"{self.amount}d" if self.unit == "days" and isinstance(self.amount, int) else None
        text = amount or f"{self.amount} {self.unit}"
        return f"{text} from {self.start}" if self.start else text

    def expressions(self) -> list[str]:
        """The expression sources the deadline reads (a literal number is none)."""
        values = [getattr(self, unit) for unit in (*DURATION_UNITS, "date")] + [self.start]
        return [v for v in values if isinstance(v, str)]


class StateSpec(Closed):
    initial: bool = False
    final: bool = False
    label: I18n | None = None
    applicant_label: I18n | None = None
    expect: I18n | None = None
    view: list[Name] | None = None
    review: bool = False
    deadline: Deadline | None = None


class SignOffStep(Closed):
    """`count` different people holding `role` approve (in any order among them)."""

    role: Name
    count: int = Field(default=1, ge=1, le=20)


class TransitionSpec(Closed):
    trigger: Name
    source: OneOrMany = Field(alias="from")
    to: Name
    roles: list[Name] = Field(min_length=1)
    label: I18n | None = None
    guard: str | None = None
    guard_message: I18n | None = None
    reason: Literal["required", "optional"] | None = None  # None: no reason box on the page
    destructive: bool = False  # shown as a danger button (withdraw, cancel, terminate)
    confirm: I18n | None = None  # the question asked before it is done
    requires: list[Name] = []
    fields: list[FieldSpec] = []
    effects: list[dict[str, Any]] = []
    notice: OneOrMany | None = None
    auto: bool = False
    # an automatic step taken only when this named event happens (workflow/engine/events.py)
    on_event: OneOrMany | None = None
    new_review_round: bool = False  # reviews before it stay in the history but no longer count
    # approvals needed before it moves, step by step (e.g. two of the committee, then the director)
    sign_off: list[SignOffStep] = []
    # approvals are of the text as it is: a change saved after one asks for all of them again
    sign_off_again_after_edit: bool = False

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @model_validator(mode="before")
    @classmethod
    def _on_event_is_automatic(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and raw.get("on_event") and "auto" not in raw:
            return {**raw, "auto": True}
        return raw

    @property
    def events(self) -> list[str]:
        if self.on_event is None:
            return []
        return [self.on_event] if isinstance(self.on_event, str) else list(self.on_event)

    @property
    def notices(self) -> list[str]:
        if self.notice is None:
            return []
        return [self.notice] if isinstance(self.notice, str) else list(self.notice)


class Outcome(Closed):
    value: Name
    trigger: Name
    label: I18n


class DecisionSpec(Closed):
    state: Name = Field(alias="in")
    roles: list[Name] = Field(min_length=1)
    label: I18n
    outcomes: list[Outcome] = Field(min_length=2)


class NoticeSpec(Closed):
    to: list[Name] = Field(min_length=1)
    template: Name
    staff_template: Name | None = None  # what recipients off the applicant's side read instead
    channels: list[Name] = Field(default=["inbox", "email"], min_length=1)  # registered channels
    statutory: bool = False
    label: I18n | None = None  # its kind's name on the notice preferences page (a template of its own)


class ScheduleItem(Closed):
    date: date
    label: I18n


class Contact(Closed):
    name: I18n
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9+][0-9 -]{5,19}$")] | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)] | None = (
        None
    )


class Question(Closed):
    q: I18n
    a: I18n


class Announcement(Closed):
    """What a call for applications (공고) says beside the form: shown on the program page."""

    eligibility: list[I18n] = []
    support: list[I18n] = []
    schedule: list[ScheduleItem] = []
    documents: list[I18n] = []  # besides the files the first form asks for
    contact: Contact | None = None
    faq: list[Question] = []


class OpenPeriod(Closed):
    start: date = Field(alias="from")
    until: date


class Budget(Closed):
    total: int = Field(ge=0)
    currency: Literal["KRW"] = "KRW"
    fiscal_year: int | None = None
    years: dict[int, Annotated[int, Field(ge=0)]] = {}  # per-fiscal-year split of total (workflow/money.py)

    @model_validator(mode="after")
    def _years_add_up(self):
        if self.years and sum(self.years.values()) != self.total:
            raise ValueError(f"budget years add up to {sum(self.years.values())}, not total {self.total}")
        return self


class KeyFields(Closed):
    """Which fields pages show as the application's name and amount, and whose organisation it is."""

    title: Name | None = None  # default: the first required text field of the first stage
    amount: Name | None = None  # default: the first money field of the first stage
    organisation: Name | None = None  # default: the title field (checked against reviewers' organisations)
    representative: Name | None = None  # shown with the organisation before a reviewer declares a conflict
    participants: Name | None = None  # the people taking part (a text or textarea field), shown there too
    bank: Name | None = None  # the bank's name, shown with the account number on the payment page
    bank_account: Name | None = None  # the account paid into, shown on the finance confirmation page


class CompanySpec(Closed):
    """Which of the program's fields describe the applicant company (its profile across programs)."""

    business_no: Name  # the key: one company across every program
    name: Name | None = None
    employees: Name | None = None
    founded: Name | None = None  # a date field (its year is kept) or an integer year
    sector: Name | None = None
    region: Name | None = None  # a choice of Gangwon's 시·군


class IndicatorSpec(Closed):
    """A performance indicator: its unit, the stage fields that collect it and yearly targets."""

    unit: str
    label: I18n | None = None  # default: the indicator's standard name (workflow/performance/kinds.py)
    collected_in: dict[Name, Name] = Field(min_length=1)  # stage -> field of that stage
    targets: dict[int, Annotated[int, Field(ge=0)]] = {}  # year -> target value


class FunnelSpec(Closed):
    """Which triggers count as submitted, selected, withdrawn and lapsed on the dashboard."""

    submitted: list[Name] = []
    selected: list[Name] = []
    withdrawn: list[Name] = []
    lapsed: list[Name] = []


class CustomRole(Closed):
    """A role of this program's own, like one of the built-in families (workflow/vocabulary/roles.py)."""

    label: I18n
    like: Literal["staff", "reviewer", "applicant_side"]


class CapacitySpec(Closed):
    """Places limited (a forum's seats): applications in `holding` states hold one each; when one leaves
    them, the first application waiting (in the order they entered `waiting`) is moved by `promote`."""

    seats: int = Field(ge=1, le=1_000_000)
    holding: list[Name] = Field(min_length=1)
    waiting: Name
    promote: Name


class ProgramSpec(Closed):
    key: Key
    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]*$", max_length=40)]
    kind: Literal[PROGRAM_KINDS]  # type: ignore[valid-type]
    title: I18n
    summary: I18n | None = None
    announcement: Announcement = Announcement()
    open: OpenPeriod | None = None
    follow_up_only: bool = False  # opened only by another program's `open:` effect, never applied for
    budget: Budget | None = None
    roles: list[Name] = Field(min_length=1)
    custom_roles: dict[Name, CustomRole] = {}
    stages: dict[Name, StageSpec] = {}
    review: ReviewSpec | None = None
    states: dict[Name, StateSpec] = Field(min_length=2)
    transitions: list[TransitionSpec] = Field(min_length=1)
    decisions: dict[Name, DecisionSpec] = {}
    notices: dict[Name, NoticeSpec] = {}
    key_fields: KeyFields = KeyFields()
    prefill: dict[Name, Name] = {}  # profile value (workflow/vocabulary/profile.py) -> field it fills
    company: CompanySpec | None = None
    indicators: dict[Name, IndicatorSpec] = {}
    funnel: FunnelSpec | None = None
    capacity: CapacitySpec | None = None

    def all_fields(self) -> dict[str, FieldSpec]:
        fields = {f.name: f for stage in self.stages.values() for f in stage.fields}
        for transition in self.transitions:
            fields.update({f.name: f for f in transition.fields})
        return fields
