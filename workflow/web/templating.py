"""The pages' Jinja environment: Flask's, with each template's globals a plain dict and dicts' items read
without a failed attribute look-up first.

Jinja keeps a template's globals as a `ChainMap` over the environment's, and copies them into a dict for
every render, every `{% import %}` and every macro module, and into a set for the context: at Python speed,
key by key, some seventy keys (~20 µs a render, as much again per import). A plain dict is copied at C
speed. The price: globals registered after a template is loaded do not reach it, which Jinja's own
documentation already asks of us; every global is registered while `create_app` runs."""

from __future__ import annotations

from flask.templating import Environment

_DICT_ATTRIBUTES = frozenset(dir(dict))  # a dict's attributes are its type's: it has no __dict__


class PageEnvironment(Environment):
    def make_globals(self, d=None):
        return {**self.globals, **(d or {})}

    def getattr(self, obj, attribute):
        """`x.name` as Jinja reads it (the attribute, else the item, else undefined). Reading a dict's item
        (a history event, a letter, rule data) that way first raises, formats and drops an AttributeError;
        a dict's attributes are known beforehand, so a name that is none of them is read as the item."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)
