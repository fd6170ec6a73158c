"""Checks of a rule file's `company:`, `indicators:` and `funnel:` keys (run with the other checks)."""

from __future__ import annotations

from workflow.definitions.raw import mapping
from workflow.definitions.wording import suggest
from workflow.performance.kinds import GANGWON_REGIONS, INDICATOR_KINDS, NUMERIC_FIELD_TYPES, UNITS

# company attribute -> field types it accepts
COMPANY_FIELD_TYPES = {
    "business_no": ("business_no",),
    "name": ("text",),
    "employees": ("integer",),
    "founded": ("date", "integer"),
    "sector": ("choice",),
    "region": ("choice",),
}


def stage_fields(checker) -> dict[str, dict[str, dict]]:
    """stage -> field name -> raw field spec."""
    return {
        stage: {
            str(f["name"]): f
            for f in mapping(spec).get("fields") or []
            if isinstance(f, dict) and f.get("name")
        }
        for stage, spec in checker.stages.items()
    }


def check_performance(checker) -> None:

    fields = stage_fields(checker)
    by_name = {name: spec for stage in fields.values() for name, spec in stage.items()}
    company = mapping(checker.raw.get("company"))
    for attribute, field in company.items():
        if attribute not in COMPANY_FIELD_TYPES or not isinstance(field, str):
            continue  # the schema reports it
        spec = by_name.get(field)
        if spec is None:
            checker.add(
                ("company", attribute),
                f"company {attribute} names unknown field '{field}'",
                suggest(field, by_name) or "name a field of one of the stages",
            )
        elif spec.get("type") not in COMPANY_FIELD_TYPES[attribute]:
            wanted = " or ".join(COMPANY_FIELD_TYPES[attribute])
            checker.add(
                ("company", attribute),
                f"company {attribute} field '{field}' is a {spec.get('type')} field",
                f"use a {wanted} field",
            )
        elif attribute == "region":
            for choice in spec.get("choices") or []:
                value = mapping(choice).get("value")
                if value not in GANGWON_REGIONS:
                    checker.add(
                        ("company", attribute),
                        f"region field '{field}' has choice '{value}', not one of Gangwon's 시·군",
                        suggest(value, GANGWON_REGIONS) or f"choices: {', '.join(GANGWON_REGIONS)}",
                    )
    indicators = mapping(checker.raw.get("indicators"))
    if indicators and not company.get("business_no"):
        checker.add(
            ("indicators",),
            "indicators belong to a company, but the program has no company business number",
            "add company: {business_no: <the business number field>}",
            key=True,
        )
    required = {s for t in checker.transitions for s in t.get("requires") or [] if isinstance(s, str)}
    for name, indicator in indicators.items():
        _check_indicator(checker, name, mapping(indicator), fields, required, suggest)
    for outcome, triggers in mapping(checker.raw.get("funnel")).items():
        known = {t.get("trigger") for t in checker.transitions}
        for index, trigger in enumerate(triggers if isinstance(triggers, list) else []):
            if trigger not in known:
                checker.add(
                    ("funnel", outcome, index),
                    f"funnel {outcome} names unknown trigger '{trigger}'",
                    suggest(trigger, known),
                )


def _check_indicator(checker, name, indicator, fields, required, suggest) -> None:
    path = ("indicators", name)
    kind = INDICATOR_KINDS.get(name)
    if kind is None:
        checker.add(
            path,
            f"unknown indicator '{name}'",
            suggest(name, INDICATOR_KINDS) or f"indicators: {', '.join(INDICATOR_KINDS)}",
            key=True,
        )
        return
    unit = indicator.get("unit")
    if unit not in UNITS:
        checker.add((*path, "unit"), f"unknown unit '{unit}'", f"units: {', '.join(UNITS)}")
    elif unit != kind.unit:
        checker.add((*path, "unit"), f"{name} is counted in {kind.unit}, not {unit}", f"unit: {kind.unit}")
    for stage, field in mapping(indicator.get("collected_in")).items():
        if stage not in fields:
            checker.add(
                (*path, "collected_in", stage),
                f"indicator {name} is collected in unknown stage '{stage}'",
                suggest(stage, fields) or "declare it under stages:",
                key=True,
            )
            continue
        spec = fields[stage].get(field)
        if spec is None:
            checker.add(
                (*path, "collected_in", stage),
                f"stage '{stage}' has no field '{field}'",
                suggest(field, fields[stage]) or f"add it to stage {stage}'s fields",
            )
        elif spec.get("type") not in NUMERIC_FIELD_TYPES:
            checker.add(
                (*path, "collected_in", stage),
                f"indicator {name} needs a number, but '{field}' is a {spec.get('type')} field",
                "use an integer or money field",
            )
        if stage not in required:
            checker.add(
                (*path, "collected_in", stage),
                f"no transition requires stage '{stage}', so {name} would never be recorded",
                f"add requires: [{stage}] to the transition that submits it",
                key=True,
            )
    for year in mapping(indicator.get("targets")):
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            checker.add((*path, "targets", year), f"target year '{year}' is not a year", key=True)
