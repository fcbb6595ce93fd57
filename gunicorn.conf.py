"""gunicorn settings for production: `gunicorn sunlight.wsgi` (see docs/deployment.md)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Threaded (gthread) workers: a cached page is not kept waiting behind a slow form
# page in the same worker (bench/bench_public_load.py, 4 ratings + 1 report a second:
# public p95 3.5x quiet with 4 threads, 21x with sync workers; docs/deployment.md).
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
pythonpath = "site"
accesslog = "-"
logger_class = "sunlight.logging.PrivacyAccessLogger"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
timeout = 60
