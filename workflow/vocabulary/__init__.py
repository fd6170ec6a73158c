"""The rule vocabulary: the open registries a rule file names (effects, field types, guard functions and
context names, roles, notice channels), the engine's bilingual message catalogue and strict number parsing.
How to add each kind: EFFECTS.md, FIELD_TYPES.md, GUARDS.md, ROLES.md here, and ../notices/CHANNELS.md."""
