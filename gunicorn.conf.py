"""gunicorn settings for production: `gunicorn sunlight.wsgi` (see docs/deployment.md)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, gunicorn's advice of 2 per CPU + 1, behind nginx (which buffers slow
# clients). Threads in a worker share its GIL: while one handles a rating or a
# report, a cached page in another waits for the GIL in 5 ms turns —
# bench/bench_public_load.py with 20 ratings + 5 reports a second measured public
# p95 2.5x quiet with 4 workers x 4 threads, about 2x with sync workers
# (docs/deployment.md, Capacity).
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
pythonpath = "site"
accesslog = "-"
logger_class = "sunlight.logging.PrivacyAccessLogger"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
timeout = 60
