"""Checks of what a program declares about itself: its own roles, review assignment states and the
fields pages show (`custom_roles:`, `review.assign_in:`, `key_fields:`)."""

from __future__ import annotations

from workflow.vocabulary.roles import ROLES


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def check_custom_roles(checker) -> None:
    for name in _mapping(checker.raw.get("custom_roles")):
        if name in ROLES:
            checker.add(
                ("custom_roles", name),
                f"'{name}' is a built-in role",
                "give the program's own role another name",
                key=True,
            )
        elif name not in checker.declared_roles:
            checker.add(
                ("custom_roles", name), f"role '{name}' is not in roles:", "add it to roles:", key=True
            )


def check_review(checker) -> None:
    assign_in = _mapping(checker.raw.get("review")).get("assign_in")
    for index, state in enumerate(assign_in if isinstance(assign_in, list) else []):
        checker.state_ref(("review", "assign_in", index), state)


def check_key_fields(checker) -> None:
    from workflow.definitions.checks import suggest

    types = {_mapping(spec).get("name"): _mapping(spec).get("type") for _, spec in checker.field_specs()}
    wanted: dict[str, tuple[str, ...]] = {
        "title": (),
        "amount": ("money", "integer"),
        "organisation": (),
        "representative": (),
        "participants": (),
        "bank": (),
        "bank_account": (),
    }
    for role, value in _mapping(checker.raw.get("key_fields")).items():
        if role not in wanted or not isinstance(value, str):
            continue  # the schema reports those
        if value not in types:
            checker.add(
                ("key_fields", role),
                f"key_fields.{role} names unknown field '{value}'",
                suggest(value, [t for t in types if isinstance(t, str)]) or "name a field of a stage",
            )
        elif wanted[role] and types[value] not in wanted[role]:
            checker.add(
                ("key_fields", role),
                f"key_fields.{role} is a {types[value]} field",
                f"name a field of type {' or '.join(wanted[role])}",
            )
