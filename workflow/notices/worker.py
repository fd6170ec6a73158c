"""`flask worker`: an rq worker that outlives Redis outages.

rq's own loop waits for Redis while it is idle, but gives up — the process exits — when Redis drops
while a job runs (the work-horse monitor's heartbeat raises) or when it registers itself. Here the
loop is restarted: the work-horse still running is waited for (it finishes its batch; the database
records the outcome), then Redis is polled with a growing pause (1 s doubling to 30 s) and a new rq
worker is started. Nothing else needs restarting: rq's scheduler is not used (a notice to retry waits
in the database for its time, and the sweep sends it again). SIGTERM/SIGINT stop the process as rq's
own warm shutdown does; the supervisor (systemd `Restart=always`, README) restarts it after a crash.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time

from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from workflow.ops.failures import is_expected, kind_of, log_once_per_kind, recovered

log = logging.getLogger(__name__)
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 30.0


class Supervisor:
    def __init__(
        self, relay, no_fork: bool, logging_level: str = "INFO", longest_pause: float = LONGEST_PAUSE
    ):
        self.relay = relay
        self.worker_class = SimpleWorker if no_fork else Worker
        self.logging_level = logging_level
        self.longest_pause = longest_pause
        self.stopping = threading.Event()
        self.restarts = 0

    def run(self, burst: bool = False) -> None:
        pause = FIRST_PAUSE
        while not self.stopping.is_set():
            started = time.monotonic()
            worker = None
            try:
                worker = self.worker_class(
                    [self.relay.queue()], connection=self.relay.redis(), serializer=JSONSerializer
                )
                self._hear_stop(worker)
                worker.work(burst=burst, logging_level=self.logging_level)
            except Exception as error:  # noqa: BLE001 - a bug is logged with its traceback and restarted
                if is_expected(error):
                    log_once_per_kind(log, kind_of(error), error, "the notice worker restarts")
                else:
                    log.exception("notice worker: unexpected error; restarting")
            else:
                if burst or self.stopping.is_set():  # done, or SIGTERM/SIGINT (rq's warm shutdown)
                    return
                log.warning("notice worker: rq's loop ended (see above); restarting")
            finally:
                self._let_go(worker)
            self._listen_for_stop()
            if time.monotonic() - started > self.longest_pause:  # it ran a while: start the pauses anew
                pause = FIRST_PAUSE
            self._wait_for_redis(pause)
            pause = min(pause * 2, self.longest_pause)
            self.restarts += 1

    def _let_go(self, worker) -> None:
        """What an rq worker that gave up leaves behind: a forked work-horse still delivering (it may
        finish its batch: wait for it) and the thread listening for rq's commands (stopped)."""
        if worker is None:
            return
        pid = getattr(worker, "horse_pid", 0)
        if pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        listener = getattr(worker, "pubsub_thread", None)
        if listener is not None and listener.is_alive():
            listener.stop()
            listener.join(timeout=2)
        pubsub = getattr(worker, "pubsub", None)
        if pubsub is not None:
            with contextlib.suppress(Exception):
                pubsub.close()

    def _hear_stop(self, worker) -> None:
        """rq handles SIGTERM/SIGINT (a warm shutdown: the running job finishes); note it too, so that
        the loop ends instead of starting a new rq worker. (rq installs `worker.request_stop` as the
        handler when its loop starts; an idle worker leaves the loop without saying why.)"""
        rq_stop = worker.request_stop

        def request_stop(signum, frame):
            self.stopping.set()
            rq_stop(signum, frame)

        worker.request_stop = request_stop

    def _listen_for_stop(self) -> None:
        """Between two rq workers, SIGTERM and SIGINT end the loop (rq's handlers belong to the old one)."""
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: self.stopping.set())

    def _wait_for_redis(self, pause: float) -> None:
        """Wait `pause`, then poll Redis with a growing pause until it answers (or a stop signal)."""
        while not self.stopping.wait(pause):
            try:
                self.relay.redis().ping()
            except Exception as error:  # noqa: BLE001 - still down: wait longer
                if not is_expected(error):
                    raise
                log_once_per_kind(log, kind_of(error), error, "the notice worker waits for it")
                pause = min(pause * 2, self.longest_pause)
                continue
            recovered(log, "redis")
            return
