"""gunicorn settings for production (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`); the systemd unit and
the production smoke test start it with this file. Prometheus multiprocess mode needs
PROMETHEUS_MULTIPROC_DIR in the environment before the workers start (the unit sets it)."""

import gc
import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # behind the reverse proxy (deploy/nginx.conf)
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = 30
graceful_timeout = 30
forwarded_allow_ips = "127.0.0.1"
accesslog = None  # the app logs one JSON line per request (workflow/ops/logs.py)


def on_starting(server):
    """Start with an empty metrics folder: files of workers of an earlier run would be counted again."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def post_worker_init(worker):
    """The app is loaded: what it holds now (rule files, templates, the schema) lives as long as the worker,
    so the collector stops walking it (a full pass over ~200,000 objects took ~100 ms, a slow request
    now and then). A page makes more than the default 700 objects before freeing them, which started a
    collection on almost every request; 10,000 does so a few times per thousand."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
