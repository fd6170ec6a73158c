"""What `audit verify` finds, named in Korean and English (the operator's language on the command line,
the reader's on the auditor's pages)."""

from __future__ import annotations

from dataclasses import dataclass, field

PROBLEMS: dict[str, dict[str, str]] = {
    "event_missing": {"ko": "기록 누락", "en": "event missing"},
    "link_broken": {
        "ko": "이전 기록과의 연결이 끊어짐",
        "en": "link to the previous event broken",
    },
    "altered": {"ko": "내용 변조(해시 불일치)", "en": "content altered (hash mismatch)"},
    "head_missing": {
        "ko": "최근 기록 누락(신청서에는 {expected}번 기록까지 있음)",
        "en": "latest event missing (chain shorter than recorded head: the row records event {expected})",
    },
    "not_on_row": {
        "ko": "신청서 행에 없는 기록(위조 삽입 의심, 신청서는 {expected}번 기록까지)",
        "en": "event not recorded on the application row (forged insert? the row records event {expected})",
    },
    "row_changed": {
        "ko": "엔진 밖에서 신청서가 변경됨({what})",
        "en": "application row changed outside the engine ({what})",
    },
    "no_history": {"ko": "기록이 없는 신청서", "en": "application without any history"},
    "row_missing": {"ko": "기록은 있으나 신청서 행이 없음", "en": "history without an application row"},
    "review_changed": {
        "ko": "심사위원 {reviewer} 배정·점수가 기록과 다름",
        "en": "review of reviewer {reviewer} differs from the history",
    },
    "rounds_changed": {
        "ko": "심사 차수가 기록과 다름",
        "en": "review rounds differ from the history",
    },
    "member_changed": {
        "ko": "공동 참여자 목록이 기록과 다름",
        "en": "members differ from the history",
    },
    "roles_changed": {
        "ko": "사용자 {user}의 역할·활성 상태가 직원 기록과 다름",
        "en": "roles or active flag of user {user} differ from the staff chain",
    },
    "digest_head": {
        "ko": "{digest}번 요약 이후 과거 기록이 바뀜(요약에는 {expected}번 기록까지 있었음)",
        "en": "history before digest {digest} changed (the digest recorded events up to {expected})",
    },
    "digest_altered": {
        "ko": "저장된 요약 {digest}번이 내보낸 파일과 다름",
        "en": "stored digest {digest} differs from the exported file",
    },
    "digest_signature": {
        "ko": "요약 파일의 서명이 맞지 않음",
        "en": "the digest file's signature does not match",
    },
}
WHAT = {
    "state": {"ko": "단계", "en": "state"},
    "data": {"ko": "신청 내용", "en": "data"},
    "row_version": {"ko": "행 버전", "en": "row version"},
    "definition": {"ko": "규칙 버전", "en": "rule version"},
    "head": {"ko": "최근 기록 해시", "en": "head hash"},
}
CHAIN_NAMES = {
    "application": {"ko": "신청서 {id}", "en": "application {id}"},
    "staff": {"ko": "직원 권한 기록", "en": "staff chain"},
    "digest": {"ko": "일일 요약", "en": "daily digests"},
}


@dataclass(frozen=True)
class ChainFault:
    """The first problem found in one chain: which chain, which event, what."""

    application_id: int | None
    seq: int | None
    code: str
    params: dict = field(default_factory=dict)
    chain: str = "application"

    def text(self, lang: str = "en") -> str:
        params = dict(self.params)
        if "what" in params:
            params["what"] = ", ".join(WHAT[w][lang] for w in params["what"])
        return PROBLEMS[self.code][lang].format(**params)

    @property
    def problem(self) -> str:
        return self.text("en")

    def where(self, lang: str = "en") -> str:
        name = CHAIN_NAMES[self.chain][lang].format(id=self.application_id)
        if self.seq is None:
            return name
        return f"{name}, {'기록' if lang == 'ko' else 'event'} {self.seq}"

    def line(self, lang: str = "en") -> str:
        return f"{self.where(lang)}: {self.text(lang)}"

    def __str__(self) -> str:
        return self.line("en")

    def as_dict(self) -> dict:
        return {
            "chain": self.chain,
            "application_id": self.application_id,
            "seq": self.seq,
            "code": self.code,
            "params": self.params,
        }

    @classmethod
    def from_dict(cls, value: dict) -> ChainFault:
        return cls(value["application_id"], value["seq"], value["code"], value["params"], value["chain"])
