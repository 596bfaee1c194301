#!/usr/bin/env python3
"""End-to-end digest throughput, against a bare smtplib loop to the same SMTP sink.

    python bench/digest.py --subscribers 2000 --repeat 3

Writes a small synthetic site (five sections of six articles, one day) into
bench/out/digest/, subscribes N readers with mixed section choices (a third take
everything, the rest one to three sections, from a fixed seed), and times
``feeds digest``'s delivery (``DigestRun.run``: edition, ledger, per-reader
render, MIME, SMTP) through a local aiosmtpd sink that accepts and drops every
message. The sink runs in its own process so that it does not share the GIL
with the sender. Each run is a fresh interpreter with a fresh state database, so
its peak memory (ru_maxrss) is its own.

In the same run, against the same sink, a bare loop sends the same messages,
rendered beforehand by the digest's own code: one smtplib connection,
``sendmail`` after ``sendmail``. The ratio of the two (digest / bare, medians)
is the figure the digest is held to: at least 0.8. Prints messages per second
of both, the ratio, peak memory, and one line per run with the CPU a message
costs the sender (with any child process), the bare loop and the sink.

Both use one connection (delivery.smtp.connections' default), so the only
difference is the work measured: the digest renders, builds and records each
message. ``--connections N`` gives the digest N; against a local sink that costs
the sender more CPU (its threads take turns at the GIL), against a distant
server it saves waiting.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "digest"
SECTIONS = [("教育", "education"), ("经济", "economy"), ("文化", "culture"),
            ("政务", "government"), ("社会", "society")]

# The SMTP sink, in its own process: accept everything, keep nothing. aiosmtpd's own
# DATA loop reads the message line by line in Python (about 1 ms a message plus
# 0.08 ms a KB on this machine, more than the sender spends), so by default the sink
# reads DATA in one call (--sink fast); --sink stock measures with aiosmtpd as shipped.
_SINK = r"""
import sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, syntax

class Drop:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"

class FastData(SMTP):
    @syntax("DATA")
    async def smtp_DATA(self, arg):
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        data = bytearray()
        while not data.endswith(b"\r\n.\r\n"):
            chunk = await self._reader.read(1 << 18)
            if not chunk:
                return
            data += chunk
        self._set_post_data_state()
        await self.push("250 OK")

class FastController(Controller):
    def factory(self):
        return FastData(self.handler, **self.SMTP_kwargs)

kind = FastController if sys.argv[2] == "fast" else Controller
controller = kind(Drop(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""

# One measured run, in a fresh interpreter; prints one JSON line.
_RUN = r"""
import datetime as dt, json, resource, sys, time
from contextlib import closing
from pathlib import Path
from feeds.config import load_config
from feeds.content.loader import load
from feeds.database import connect, database_path
from feeds.mail.delivery import open_transport
from feeds.digest.send import DigestRun
from feeds.tokens import Tokens
config = load_config(Path(sys.argv[1]), required=True)
catalog = load(config)
now = dt.datetime(2024, 3, 2, 22, 0, tzinfo=dt.UTC)
with closing(connect(database_path(config))) as db:
    run = DigestRun(config, catalog, db, Tokens("bench"), now)
    transport = open_transport(config)
    def cpu():  # this process and its children (the process making MIME, once it ended)
        return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, (
            resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
    cpu_before = cpu()
    start = time.perf_counter()
    report = run.run(transport)
    seconds = time.perf_counter() - start
    cpu_seconds = cpu() - cpu_before
    transport.close()
edition = report.editions[0]
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds,
                  "sent": edition.sent, "skipped": edition.skipped,
                  "failed": edition.failed, "ok": report.ok,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# The baseline, in a fresh interpreter: the same edition's messages, rendered by the
# digest's code before the clock starts, sent by a bare smtplib loop; one JSON line.
_BARE = r"""
import datetime as dt, json, resource, smtplib, sys, time
from contextlib import closing
from pathlib import Path
from feeds.config import load_config
from feeds.content.loader import load
from feeds.database import connect, database_path
from feeds.digest.send import DigestRun
from feeds.mail.message import to_bytes
from feeds.tokens import Tokens
config = load_config(Path(sys.argv[1]), required=True)
catalog = load(config)
now = dt.datetime(2024, 3, 2, 22, 0, tzinfo=dt.UTC)
with closing(connect(database_path(config))) as db:
    run = DigestRun(config, catalog, db, Tokens("bench"), now, publish_file=lambda *_: None)
    edition, _ = run.next_edition()
    messages = []
    for share in run.shares(edition):
        reader = share.subscriber
        letter, _ = run.letter(edition, reader, share.groups, run.message_id(edition, reader))
        messages.append((letter.envelope_from, letter.to, to_bytes(letter, run.signer)))
smtp = config.delivery.smtp
connection = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout)
cpu = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
for sender, to, raw in messages:
    connection.sendmail(sender, [to], raw)
seconds = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_SELF)
connection.quit()
cpu_seconds = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "sent": len(messages),
                  "kb": sum(len(m[2]) for m in messages) / len(messages) / 1024}))
"""


def write_site(folder: Path, port: int, connections: int = 1) -> Path:
    content = folder / "content"
    content.mkdir(parents=True, exist_ok=True)
    for number, (name, _) in enumerate(SECTIONS, start=1):
        articles = []
        for i in range(6):
            body = "，".join(f"{name}工作第{j}项举措稳步推进" for j in range(12))
            articles.append(f"## {name}新闻第{i + 1}条：城区推进{name}重点工作取得新进展\n\n"
                            f"本报讯 3月2日，{body}。\n\n"
                            f"{'相关部门表示将继续做好后续工作，确保各项任务落实到位。' * 4}\n")
        (content / f"2024-03-02-{number:02d}.txt").write_text(
            f"第0{number}版：{name}\n\n" + "\n".join(articles), encoding="utf-8")
    sections = "".join(f'\n[[sections]]\nname = "{n}"\nslug = "{s}"\n' for n, s in SECTIONS)
    config = folder / "feeds.toml"
    config.write_text(textwrap.dedent(f"""\
        [site]
        title = "城区新闻"
        base_url = "https://news.example.cn/"
        state_dir = "state"

        [digest]
        from_address = "digest@news.example.cn"

        [delivery]
        method = "smtp"

        [delivery.smtp]
        host = "127.0.0.1"
        port = {port}
        security = "none"
        connections = {connections}
        """) + sections, encoding="utf-8")
    return config


def subscribe(config_path: Path, count: int, seed: int = 1) -> None:
    """Fresh state with ``count`` readers: a third take all sections, the rest 1-3."""
    sys.path.insert(0, str(HERE.parent))
    import datetime as dt
    from contextlib import closing

    from feeds.config import load_config
    from feeds.database import connect, database_path, transaction

    config = load_config(config_path, required=True)
    shutil.rmtree(config.state_path, ignore_errors=True)
    shutil.rmtree(config.output_path, ignore_errors=True)
    rng = random.Random(seed)
    slugs = [s for _, s in SECTIONS]
    stamp = dt.datetime(2024, 3, 1, tzinfo=dt.UTC).isoformat()
    rows = []
    for i in range(count):
        chosen = None if i % 3 == 0 else " ".join(rng.sample(slugs, rng.randint(1, 3)))
        rows.append((f"reader{i:06d}@example.com", chosen, stamp, stamp))
    with closing(connect(database_path(config))) as db, transaction(db):
        db.executemany("INSERT INTO subscribers (email, sections, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?)", rows)


def measure(script: str, config: Path, env: dict[str, str], sink: int) -> dict[str, float]:
    """One run's figures, with the CPU seconds the sink spent meanwhile."""
    before = cpu_of(sink)
    done = subprocess.run([sys.executable, "-c", script, str(config)], env=env,
                          capture_output=True, text=True, check=True)
    time.sleep(0.2)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["sink_cpu_seconds"] = cpu_of(sink) - before
    return result


def cpu_of(pid: int) -> float:
    """User and system CPU seconds of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, nargs="+", default=[2000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=1,
                        help="delivery.smtp.connections of the digest (default 1, as the "
                             "bare loop)")
    parser.add_argument("--sink", choices=["fast", "stock"], default="fast",
                        help="aiosmtpd with DATA read in one call (default), or as shipped")
    args = parser.parse_args()

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    sink = subprocess.Popen([sys.executable, "-c", _SINK, str(port), args.sink],
                            stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        config = write_site(OUT, port, args.connections)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; site: "
              f"{len(SECTIONS)} sections x 6 articles; SMTP connections: digest "
              f"{args.connections}, bare loop 1; "
              f"sink: aiosmtpd, {args.sink} DATA, own process")
        for count in args.subscribers:
            runs, bare = [], []
            for _ in range(args.repeat):
                subscribe(config, count)
                bare.append(measure(_BARE, config, env, sink.pid))
                subscribe(config, count)
                runs.append(measure(_RUN, config, env, sink.pid))
            rates = [r["sent"] / r["seconds"] for r in runs]
            bare_rates = [b["sent"] / b["seconds"] for b in bare]
            digest_rate, bare_rate = statistics.median(rates), statistics.median(bare_rates)
            print(f"{count:>6} subscribers: digest {digest_rate:5.0f} messages/s, bare smtplib "
                  f"loop {bare_rate:5.0f} messages/s: {digest_rate / bare_rate:.2f}x (medians "
                  f"of {len(runs)}; {bare[0]['kb']:.0f} KB a message); digest peak memory "
                  f"{statistics.median(r['peak_mb'] for r in runs):.0f} MB")
            for r, rate, b, b_rate in zip(runs, rates, bare, bare_rates, strict=True):
                print(f"         digest: {r['sent']} sent, {r['skipped']} skipped, "
                      f"{r['failed']} failed in {r['seconds']:.2f} s = {rate:.0f}/s; sender CPU "
                      f"{1000 * r['cpu_seconds'] / max(r['sent'], 1):.2f} ms a message; "
                      f"peak {r['peak_mb']:.0f} MB; bare: {b['sent']} in {b['seconds']:.2f} s "
                      f"= {b_rate:.0f}/s, CPU {1000 * b['cpu_seconds'] / b['sent']:.2f} ms "
                      f"a message; sink CPU a message: digest "
                      f"{1000 * r['sink_cpu_seconds'] / max(r['sent'], 1):.2f} ms, bare "
                      f"{1000 * b['sink_cpu_seconds'] / b['sent']:.2f} ms")
    finally:
        if sink.stdin:
            sink.stdin.close()
        sink.wait(timeout=10)


if __name__ == "__main__":
    main()
