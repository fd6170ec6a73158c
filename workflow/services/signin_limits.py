"""Failed sign-ins limited per account and per client address, with the `limits` library (the storage
and strategies under Flask-Limiter): fixed windows in Redis when a URL is configured, else in this process.

Every attempt takes its slot *before* the password is checked (one atomic INCR), so parallel attempts
cannot all read "4 so far" and pass; a successful sign-in gives its slots back. When Redis does not
answer, the counts fall back to this process (logged once per outage) and Redis is tried again after
`RETRY_REDIS_SECONDS`: signing in keeps working.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)

LIMIT_PER_ACCOUNT = 5
LIMIT_PER_ADDRESS = 20
WINDOW_SECONDS = 900
RETRY_REDIS_SECONDS = 30


@dataclass(frozen=True)
class Slots:
    """The keys one attempt counted against, and whether it stayed within both limits."""

    account: str
    address: str
    allowed: bool


class SignInLimits:
    def __init__(
        self,
        redis_url: str | None = None,
        per_account: int = LIMIT_PER_ACCOUNT,
        per_address: int = LIMIT_PER_ADDRESS,
        window: int = WINDOW_SECONDS,
        prefix: str = "grants-signin",
    ):
        self.account_limit = RateLimitItemPerSecond(per_account, window, namespace=prefix)
        self.address_limit = RateLimitItemPerSecond(per_address, window, namespace=prefix)
        self.local = FixedWindowRateLimiter(MemoryStorage())
        self.shared = None
        if redis_url:
            storage = storage_from_string(
                redis_url, socket_connect_timeout=0.5, socket_timeout=0.5, key_prefix=prefix
            )
            self.shared = FixedWindowRateLimiter(storage)
        self._down_since: float | None = None
        self._lock = threading.Lock()

    # which limiter counts now ------------------------------------------------------------------
    def _limiters(self):
        """The shared limiter unless it failed within the last RETRY_REDIS_SECONDS, then the local one."""
        if self.shared is not None:
            down = self._down_since
            if down is None or time.monotonic() - down >= RETRY_REDIS_SECONDS:
                yield self.shared
        yield self.local

    def _run(self, action):
        for limiter in self._limiters():
            try:
                result = action(limiter)
            except Exception as error:  # noqa: BLE001 - any storage failure: count in this process
                if limiter is self.local:
                    raise
                self._went_down(error)
                continue
            if limiter is self.shared and self._down_since is not None:
                with self._lock:
                    self._down_since = None
                log.warning("sign-in limits: Redis answers again; counting there")
            return result
        raise AssertionError("unreachable: the local limiter always answers")

    def _went_down(self, error: Exception) -> None:
        with self._lock:
            first = self._down_since is None
            self._down_since = time.monotonic()
        if first:
            log.warning("sign-in limits: Redis unavailable (%s); counting in this process", error)

    # the attempts ------------------------------------------------------------------------------
    def attempt(self, email: str, address: str) -> Slots:
        """Count one attempt for the account and the address; `allowed` is False past either limit."""
        account = "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        address = "address:" + address

        def hit(limiter) -> bool:
            account_ok = limiter.hit(self.account_limit, account)
            address_ok = limiter.hit(self.address_limit, address)
            return account_ok and address_ok

        return Slots(account, address, self._run(hit))

    def succeeded(self, slots: Slots) -> None:
        """A correct password: the account starts afresh and the address gets its slot back."""

        def give_back(limiter) -> None:
            limiter.clear(self.account_limit, slots.account)
            key = self.address_limit.key_for(slots.address)
            limiter.storage.incr(key, self.address_limit.get_expiry(), amount=-1)

        self._run(give_back)
