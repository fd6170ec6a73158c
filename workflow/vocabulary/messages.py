"""The engine's bilingual message catalogue (Korean default, English for foreign partners).

Refusals and field errors carry a code and parameters; the text is chosen at the edge in the
reader's language. Money parameters are given as `krw_text(amount)` and read 1,200,000원 in Korean and
KRW 1,200,000 in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CATALOGUE: dict[str, dict[str, str]] = {
    # fire() refusals
    "unknown_application": {"ko": "신청서를 찾을 수 없습니다.", "en": "Application not found."},
    "unknown_program": {
        "ko": "사업 정의 '{key}'의 {version} 버전을 찾을 수 없습니다.",
        "en": "Program definition '{key}' {version} was not found.",
    },
    "unknown_trigger": {
        "ko": "이 사업에는 '{trigger}' 동작이 없습니다.",
        "en": "'{trigger}' is not an action of this program.",
    },
    "not_from_state": {
        "ko": "현재 단계({state})에서는 '{trigger}' 처리를 할 수 없습니다.",
        "en": "'{trigger}' is not possible in the current step ({state}).",
    },
    "not_assignment_state": {
        "ko": "현재 단계({state})에서는 평가위원을 배정할 수 없습니다.",
        "en": "Reviewers cannot be assigned in the current step ({state}).",
    },
    "replace_not_conflicted": {
        "ko": "이해충돌을 신고한 평가위원만 교체할 수 있습니다.",
        "en": "Only a reviewer who declared a conflict of interest can be replaced.",
    },
    "reviewer_already_assigned": {
        "ko": "이 평가위원은 이미 이 신청서에 배정되어 있습니다.",
        "en": "This reviewer is already assigned to this application.",
    },
    "note_empty": {"ko": "메모 내용을 입력하세요.", "en": "Write the note first."},
    "note_too_long": {
        "ko": "메모는 {max}자 이내로 입력하세요.",
        "en": "A note may be at most {max} characters long.",
    },
    "reviewer_not_offered": {
        "ko": "이 평가위원은 이 신청서에 배정할 수 없습니다({why}).",
        "en": "This reviewer cannot be assigned to this application ({why}).",
    },
    "reviewers_full": {
        "ko": "이 사업은 신청서마다 평가위원 {count}명을 배정하며, 이미 {count}명이 배정되어 있습니다.",
        "en": "This program assigns {count} reviewers per application, and {count} are already assigned.",
    },
    "already_approved": {
        "ko": "{by}님은 {at}에 이미 '{trigger}'에 승인했습니다. 같은 사람의 승인은 한 번만 셉니다.",
        "en": "{by} already approved '{trigger}' at {at}; the same person is counted once.",
    },
    "approval_turn": {
        "ko": "'{trigger}'의 승인 순서상 지금은 {role} 차례입니다.",
        "en": "'{trigger}' now needs the approval of {role}.",
    },
    "sign_off_progress": {
        "ko": "{label} ({done}/{total}명 승인)",
        "en": "{label} ({done} of {total} so far)",
    },
    "undone_by_automatic": {
        "ko": "'{trigger}' 처리를 할 수 없습니다: 자동 처리 조건이 그대로 충족되어 신청서가 곧바로 '{state}' 단계로 "
        "되돌아가게 됩니다.",
        "en": "'{trigger}' cannot be done: the condition of an automatic step still holds, so the application "
        "would move straight back to '{state}'.",
    },
    "unknown_reviewer_kind": {
        "ko": "이 사업에는 '{kind}' 평가위원 구분이 없습니다.",
        "en": "'{kind}' is not a reviewer kind of this program.",
    },
    "not_from_state_changed": {
        "ko": "현재 단계({state})에서는 '{trigger}' 처리를 할 수 없습니다. {by}님이 {at}에 '{last}' 처리했습니다.",
        "en": "'{trigger}' is not possible in the current step ({state}): {by} did '{last}' at {at}.",
    },
    "stale": {
        "ko": "화면을 연 뒤에 {by}님이 {at}에 '{last}' 처리하여 신청서가 바뀌었습니다. 새로 고친 뒤 다시 시도하세요.",
        "en": "The application changed after you opened it: {by} did '{last}' at {at}. Reload and try again.",
    },
    "role_not_allowed": {
        "ko": "'{trigger}' 처리는 {roles} 역할만 할 수 있습니다.",
        "en": "Only {roles} may do '{trigger}'.",
    },
    "not_your_application": {
        "ko": "이 신청서에 대한 권한이 없습니다.",
        "en": "You have no rights on this application.",
    },
    "conflict_not_declared": {
        "ko": "이해충돌 여부를 먼저 신고해야 합니다.",
        "en": "Declare your conflict of interest first.",
    },
    "guard_failed": {"ko": "조건을 충족하지 않습니다: {detail}", "en": "A condition is not met: {detail}"},
    "guard_error": {
        "ko": "'{step}' 단계의 조건을 입력된 값으로 확인할 수 없어 진행할 수 없습니다. 값을 확인하거나 담당자에게 문의하세요.",
        "en": "'{step}' cannot go ahead: its condition could not be checked with the values given. "
        "Check the values or contact the program office.",
    },
    "reason_required": {"ko": "사유를 입력해야 합니다.", "en": "A reason is required."},
    "invalid_data": {"ko": "입력값을 확인하세요: {detail}", "en": "Please check the entries: {detail}"},
    "unknown_field": {
        "ko": "'{field}' 항목은 지금 이 단계에서 입력할 수 없습니다.",
        "en": "'{field}' cannot be entered in this step.",
    },
    "stage_incomplete": {
        "ko": "'{stage}' 양식을 먼저 완성하세요: {detail}",
        "en": "Complete the '{stage}' form first: {detail}",
    },
    "share_above_max": {
        "ko": "{share} 비율이 {total}의 {actual}%입니다. {limit}% 이하여야 합니다.",
        "en": "{share}: {actual}% of {total} — at most {limit}% is allowed.",
    },
    "share_below_min": {
        "ko": "{share} 비율이 {total}의 {actual}%입니다. {limit}% 이상이어야 합니다.",
        "en": "{share}: {actual}% of {total} — at least {limit}% is required.",
    },
    "unknown_state": {
        "ko": "'{state}' 단계는 이 사업에 없습니다.",
        "en": "'{state}' is not a step of this program.",
    },
    "admin_only": {
        "ko": "관리자만 단계를 직접 옮길 수 있습니다.",
        "en": "Only an administrator may move a step directly.",
    },
    "budget_exceeded": {
        "ko": "예산이 부족합니다: 잔액 {remaining}, 요청 {requested}.",
        "en": "Not enough budget: remaining budget {remaining}, requested {requested}.",
    },
    "no_budget": {
        "ko": "'{key}' 사업의 예산이 등록되지 않았습니다.",
        "en": "No budget is set for program '{key}'.",
    },
    "no_award": {"ko": "지원 결정된 금액이 없습니다.", "en": "There is no award for this application."},
    "tranche_not_due": {
        "ko": "지급할 수 있는 분할금이 없습니다 (다음 분할금은 '{release_on}' 이후 지급).",
        "en": "No tranche is due (the next is released after '{release_on}').",
    },
    "claim_above_award": {
        "ko": "청구액 {requested}이 과제 지원금의 남은 금액 {remaining}을 넘습니다 (지원금 {award}, 기지급 {paid}).",
        "en": "The claim of {requested} is more than what remains of the award, {remaining} "
        "(award {award}, paid {paid}).",
    },
    "no_parent_award": {
        "ko": "이 청구를 연 신청서에 지원 결정된 금액이 없어 지급할 수 없습니다.",
        "en": "The application this claim belongs to has no award to pay it from.",
    },
    "payment_above_due": {
        "ko": "지급액이 지급 가능한 금액을 초과합니다: 지급 가능 {due}, 요청 {requested}.",
        "en": "Payment above what is due: due {due}, requested {requested}.",
    },
    "payment_above_award": {
        "ko": "지급액이 지원금을 초과합니다: 지원금 {award}, 기지급 {paid}, 요청 {requested}.",
        "en": "Payment above the award: award {award}, paid {paid}, requested {requested}.",
    },
    "recovery_above_paid": {
        "ko": "환수액이 지급액을 초과합니다: 지급 {paid}, 기환수 {recovered}, 요청 {requested}.",
        "en": "Recovery above what was paid: paid {paid}, recovered {recovered}, requested {requested}.",
    },
    "amount_invalid": {"ko": "금액이 올바르지 않습니다: {detail}", "en": "The amount is not valid: {detail}"},
    # money (workflow/money.py)
    "no_budget_year": {
        "ko": "'{key}' 사업의 {year}년도 예산이 등록되지 않았습니다.",
        "en": "No {year} budget is set for program '{key}'.",
    },
    "no_rate": {
        "ko": "{day} 기준 {currency} 환율이 등록되지 않았습니다. 재무 담당자가 환율을 먼저 기록해야 합니다.",
        "en": "No {currency} rate is recorded for {day}; finance must record the rate first.",
    },
    "tranche_condition_unmet": {
        "ko": "{seq}차 분할금 {amount}의 지급 조건이 충족되지 않았습니다: {condition}",
        "en": "The condition for tranche {seq} ({amount}) is not met: {condition}",
    },
    "nothing_to_recover": {
        "ko": "환수할 금액이 없습니다: 지급 {paid}, 기환수 {recovered}.",
        "en": "Nothing to recover: paid {paid}, already recovered {recovered}.",
    },
    "award_changed": {
        "ko": "지원금 정보가 동시에 변경되었습니다. 다시 시도하세요.",
        "en": "The award changed at the same time; please try again.",
    },
    "money_not_in_step": {
        "ko": "현재 단계({state})에서는 할 수 없습니다. 가능한 단계: {states}",
        "en": "Not possible in the current step ({state}); possible in: {states}.",
    },
    "no_money_action": {
        "ko": "지금 단계에서 기록할 수 있는 지급 또는 환수가 없습니다.",
        "en": "No payment or recovery can be recorded at this step.",
    },
    "rate_exists": {
        "ko": "{day} {currency} 환율은 이미 기록되어 있습니다.",
        "en": "A {currency} rate for {day} is already recorded.",
    },
    "matching_government_share": {
        "ko": "정부지원금 {award}은 총사업비 {total}의 {share}로, 상한({limit})을 넘습니다.",
        "en": "The grant of {award} is {share} of the total cost {total}, above the limit of {limit}.",
    },
    "matching_cash_share": {
        "ko": "기업부담 현금 {cash}은 총사업비 {total}의 {share}로, 하한 {limit}에 못 미칩니다.",
        "en": "The company's cash {cash} is {share} of the total cost {total}, below the minimum of {limit}.",
    },
    "linked_program_missing": {
        "ko": "연결할 사업이 등록되어 있지 않습니다: '{key}'",
        "en": "The program to open, '{key}', is not loaded.",
    },
    "program_closed": {
        "ko": "'{title}' 접수 기간이 아닙니다 ({start} ~ {until} 18:00).",
        "en": "'{title}' is not open for applications ({start} to {until} 18:00).",
    },
    "follow_up_only": {
        "ko": "'{title}' 신청은 다른 신청에서 이어지는 후속 신청으로만 열 수 있습니다. 먼저 해당 신청을 진행하세요.",
        "en": "'{title}' is opened only as a follow-up of another application; it cannot be applied for directly.",
    },
    "not_correctable": {
        "ko": "지금 단계에서는 '{stage}' 양식을 정정할 권한이 없습니다.",
        "en": "You may not correct '{stage}' in the current step.",
    },
    "correction_unchanged": {
        "ko": "바뀐 값이 없습니다. 정정할 값을 고친 뒤 저장하세요.",
        "en": "Nothing was changed. Change a value before saving the correction.",
    },
    "not_editable": {
        "ko": "지금 단계에서는 이 양식을 고칠 수 없습니다.",
        "en": "This form cannot be edited in the current step.",
    },
    "migration_mapping": {
        "ko": "단계 대응표가 올바르지 않습니다: {detail}",
        "en": "The state mapping is not valid: {detail}",
    },
    "unknown_role": {
        "ko": "'{role}' 역할은 이 사업에 없습니다.",
        "en": "'{role}' is not a role of this program.",
    },
    "unknown_user": {
        "ko": "'{email}' 사용자를 찾을 수 없습니다 (신청인 본인은 추가할 수 없습니다).",
        "en": "No user '{email}' (the owner cannot be added).",
    },
    "busy": {
        "ko": "다른 처리가 진행 중입니다. 잠시 후 다시 시도하세요.",
        "en": "Another change is in progress. Please try again in a moment.",
    },
    "definition_refused": {
        "ko": "사업 정의를 사용할 수 없습니다: {detail}",
        "en": "The program definition cannot be used: {detail}",
    },
    "already_fired": {"ko": "이미 처리된 기한입니다.", "en": "This deadline was already handled."},
    "deadline_unset": {
        "ko": "'{state}' 단계의 기한을 정할 수 없습니다. 다음 값이 필요합니다: {fields}",
        "en": "The deadline of '{state}' cannot be set; it needs: {fields}",
    },
    # field validation
    "required": {"ko": "필수 항목입니다.", "en": "This field is required."},
    "too_short": {"ko": "{min}자 이상 입력하세요.", "en": "Enter at least {min} characters."},
    "too_long": {"ko": "{max}자 이하로 입력하세요.", "en": "Enter at most {max} characters."},
    "pattern": {"ko": "형식이 올바르지 않습니다.", "en": "The format is not valid."},
    "control_characters": {
        "ko": "입력할 수 없는 제어 문자가 들어 있습니다.",
        "en": "The text contains control characters that are not allowed.",
    },
    "not_integer": {"ko": "정수를 입력하세요.", "en": "Enter a whole number."},
    "not_money": {"ko": "금액(원)을 숫자로 입력하세요.", "en": "Enter an amount in won (digits only)."},
    "not_decimal": {
        "ko": "숫자로 입력하세요(소수점 이하 두 자리까지).",
        "en": "Enter a number (up to two decimal places).",
    },
    "below_min": {"ko": "{min} 이상이어야 합니다.", "en": "Must be at least {min}."},
    "above_max": {"ko": "{max} 이하여야 합니다.", "en": "Must be at most {max}."},
    "not_date": {"ko": "날짜를 YYYY-MM-DD 형식으로 입력하세요.", "en": "Enter a date as YYYY-MM-DD."},
    "not_choice": {"ko": "목록에서 선택하세요.", "en": "Choose from the list."},
    "not_boolean": {"ko": "예 또는 아니오를 선택하세요.", "en": "Choose yes or no."},
    "not_email": {"ko": "이메일 주소 형식이 올바르지 않습니다.", "en": "Enter a valid e-mail address."},
    "not_phone": {
        "ko": "전화번호 형식이 올바르지 않습니다 (예: 010-1234-5678).",
        "en": "Enter a valid phone number (e.g. 010-1234-5678).",
    },
    "not_business_no": {
        "ko": "사업자등록번호 형식이 올바르지 않습니다 (예: 123-45-67890).",
        "en": "Enter a business registration number like 123-45-67890.",
    },
    "not_file": {"ko": "파일을 올려 주세요.", "en": "Upload a file."},
    "file_type": {"ko": "허용되는 파일 형식: {accept}", "en": "Allowed file types: {accept}"},
    "file_size": {"ko": "파일은 {max_mb}MB 이하여야 합니다.", "en": "The file must be at most {max_mb} MB."},
    "file_storage": {
        "ko": "지금은 파일을 저장할 수 없습니다. 다른 입력 내용은 저장되었으니 잠시 후 파일을 다시 첨부해 주세요.",
        "en": "The file could not be stored just now. Your other entries were saved; please attach the file "
        "again in a moment.",
    },
}

LANGUAGES = ("ko", "en")


def format_krw(amount: int, lang: str = "ko") -> str:
    """1,200,000원 in Korean, KRW 1,200,000 in English."""
    return f"KRW {amount:,}" if lang == "en" else f"{amount:,}원"


def krw_text(amount: int) -> dict[str, str]:
    """A money parameter of a Message: shown in the reader's language."""
    return {lang: format_krw(amount, lang) for lang in LANGUAGES}


def render(code: str, lang: str, params: dict | None = None) -> str:
    template = CATALOGUE[code]["en" if lang == "en" else "ko"]
    return template.format(**(params or {}))


@dataclass(frozen=True)
class Message:
    """A translatable message: a catalogue code, its parameters, and optional already-bilingual text."""

    code: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "ko") -> str:
        params = {k: (v.get(lang, v.get("ko")) if isinstance(v, dict) else v) for k, v in self.params.items()}
        return render(self.code, lang, params)

    @property
    def ko(self) -> str:
        return self.text("ko")

    @property
    def en(self) -> str:
        return self.text("en")
