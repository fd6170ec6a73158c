"""The indicators a program may declare, as a registry: one name per indicator across every program,
so jobs created in a startup program and in an incentive program add up. Units are fixed per indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Unit:
    name: str
    label: object  # lazy_gettext: shown after figures and in table headers
    money: bool = False


UNITS = {
    "persons": Unit("persons", _l("persons")),
    "krw": Unit("krw", _l("KRW"), money=True),
    "count": Unit("count", _l("cases")),
}


@dataclass(frozen=True)
class IndicatorKind:
    name: str
    unit: str
    label: object  # lazy_gettext


INDICATOR_KINDS = {
    kind.name: kind
    for kind in (
        IndicatorKind("jobs_created", "persons", _l("Jobs created")),
        IndicatorKind("revenue", "krw", _l("Revenue")),
        IndicatorKind("investment_attracted", "krw", _l("Investment attracted")),
        IndicatorKind("patents_filed", "count", _l("Patents filed")),
        IndicatorKind("patents_registered", "count", _l("Patents registered")),
        IndicatorKind("exports", "krw", _l("Exports")),
        IndicatorKind("products_launched", "count", _l("Products launched")),
        IndicatorKind("certifications", "count", _l("Certifications")),
    )
}

# field types whose stored value is a whole number an indicator can add up
NUMERIC_FIELD_TYPES = ("integer", "money")

# company size by employees (상시 근로자 수): lower bound, key, label (lazy_gettext)
SIZE_BANDS = (
    (0, "micro", _l("Micro (under 10)")),
    (10, "small", _l("Small (10-49)")),
    (50, "medium", _l("Medium (50-299)")),
    (300, "large", _l("Large (300+)")),
)
UNKNOWN = _l("Unknown")

# Gangwon's 18 시·군: the values a region field may hold (rule files list them as choices)
GANGWON_REGIONS = {
    "chuncheon": _l("Chuncheon"),
    "wonju": _l("Wonju"),
    "gangneung": _l("Gangneung"),
    "donghae": _l("Donghae"),
    "taebaek": _l("Taebaek"),
    "sokcho": _l("Sokcho"),
    "samcheok": _l("Samcheok"),
    "hongcheon": _l("Hongcheon"),
    "hoengseong": _l("Hoengseong"),
    "yeongwol": _l("Yeongwol"),
    "pyeongchang": _l("Pyeongchang"),
    "jeongseon": _l("Jeongseon"),
    "cheorwon": _l("Cheorwon"),
    "hwacheon": _l("Hwacheon"),
    "yanggu": _l("Yanggu"),
    "inje": _l("Inje"),
    "goseong": _l("Goseong"),
    "yangyang": _l("Yangyang"),
}


def size_band(employees: int | None) -> str | None:
    if employees is None:
        return None
    band = None
    for lower, key, _label in SIZE_BANDS:
        if employees >= lower:
            band = key
    return band
