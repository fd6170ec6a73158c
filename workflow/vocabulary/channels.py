"""Notice channels as an open registry: each channel is one `NoticeChannel` a package registers.

A rule file's notice lists its channels (`channels: [inbox, email, pdf]`); the checker accepts the
registered names, and the notices relay hands each recipient of a notice to each channel in turn.
The built-in channels (inbox, email, pdf) are registered by workflow/notices/channels.py; an SMS or
messenger channel is one more module. How to add one: workflow/notices/CHANNELS.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NoticeChannel:
    name: str
    # (recipient notice) -> None, inside the transaction that prepares a batch of notices: store what the
    # recipient gets, or record what is to be sent after commit (workflow/notices/channels.py)
    deliver: Callable[[Any], None]
    order: int = 50  # channels run in this order for each recipient (a letter before the e-mail carrying it)
    fallback: bool = False  # also runs when none of the notice's own channels reached the recipient
    needs_all_facts: bool = False  # its content may use any fact (a letter's table), so all are read


CHANNELS: dict[str, NoticeChannel] = {}


def register_channel(channel: NoticeChannel) -> NoticeChannel:
    CHANNELS[channel.name] = channel
    return channel


def channels_of(names: Iterable[str]) -> list[NoticeChannel]:
    """The named channels in running order; KeyError for a name nobody registered."""
    return sorted((CHANNELS[name] for name in names), key=lambda channel: (channel.order, channel.name))


def fallbacks_for(names: Iterable[str]) -> list[NoticeChannel]:
    chosen = set(names)
    return channels_of(name for name, channel in CHANNELS.items() if channel.fallback and name not in chosen)
