"""Profile values a rule file may prefill a new application with (`prefill:`): an open registry.

Each value is read from the applicant's account (sign-up and the account page) and fits certain field
types; a program names which of its fields takes which value, so Python never names a field.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.vocabulary.fields import FieldError, clean_value, is_empty


@dataclass(frozen=True)
class ProfileValue:
    name: str
    field_types: frozenset[str]  # the field types this value may fill


PROFILE_VALUES: dict[str, ProfileValue] = {}


def register_profile_value(value: ProfileValue) -> None:
    PROFILE_VALUES[value.name] = value


for _value in (
    ProfileValue("name", frozenset({"text", "textarea"})),  # the account holder's name
    ProfileValue("organisation", frozenset({"text", "textarea"})),  # the company given at sign-up
    ProfileValue("email", frozenset({"email", "text"})),
    ProfileValue("phone", frozenset({"phone", "text"})),
):
    register_profile_value(_value)


def prefilled(program_spec, profile: dict) -> dict:
    """The values a new application starts with: each declared profile value that its field accepts
    (an empty one, or one the field refuses, e.g. a phone in another format, is left for the applicant)."""
    fields = program_spec.all_fields()
    values = {}
    for source, target in program_spec.prefill.items():
        given = profile.get(source)
        if is_empty(given) or target not in fields:
            continue
        try:
            values[target] = clean_value(fields[target], given)
        except FieldError:
            continue
    return values
