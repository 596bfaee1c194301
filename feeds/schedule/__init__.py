"""Running the jobs (``build``, ``digest``) on a schedule: from cron or systemd one at a
time, or from the long-lived ``scheduler.py``. Both routes take the same per-job lock
and record each run, so they never overlap and a missed morning digest is caught up."""

JOBS = ("build", "digest")
EX_TEMPFAIL = 75  # sysexits.h: try again later (another run holds the lock)
