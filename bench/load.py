"""Benchmark: load on two app servers behind one address, driven by locust headless.

Setup (not timed): the demo (``cdrp demo --no-serve``) into a temporary ``CDRP_DATA_DIR`` with
``CDRP_HTTPS=0`` (or an existing one with ``--data-dir``); two ``cdrp serve`` processes on
loopback ports (the first with the task worker, the second without: one worker per
deployment), and a small round-robin TCP proxy in front of them on a third port (each new
connection goes to the next server). Everything listens on 127.0.0.1 only.

Then locust (as a library, in this process) runs, bounded in users, requests and time:

(a) mixed: ``--users`` (50) users, each waiting 1–3 s between requests, for ``--seconds``
    (60 s) or ``--max-requests``, mixing public pages (partnership list, a partnership's
    page, its published plans, public meetings, community map, published assessments),
    signed-in pages (each user signs in as the demo analyst first, timed apart from the mix:
    home, the partnership, its assessments, an assessment), the counts API (``/api/counts`` by
    district, month and category) and cached documents (the published plan's PDF and JSON,
    an assessment's PDF and JSON, each rendered once before the run); targets p95 < 150 ms
    and 0 errors;
(b) saturation: public pages only, no think time, users stepped up (1, 2, 4, 8, 16, 32) for
    ``--step-seconds`` each until throughput stops rising (less than 5 % more than the best
    step so far); target: the best throughput ≥ 200 requests/s.

Reports p50/p95/p99 (locust's rounded histogram), requests/s and errors per part and per kind
of request, and the saturation point. Prints one JSON object. The machine may be shared (and
has 2 cores, which the servers, the proxy and locust all share): figures are noisy.
Run: ``.venv/bin/python bench/load.py [--data-dir DIR] [--users 50] [--seconds 60]``.
"""

from __future__ import annotations

# locust runs on gevent: patch before anything else opens a socket.
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
P95_TARGET_MS = 150.0
SATURATION_TARGET_RPS = 200.0
PROXY = r"""
import asyncio, itertools, sys

listen, backends = int(sys.argv[1]), [int(p) for p in sys.argv[2:]]
turn = itertools.cycle(backends)


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", next(turn))
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(
        pipe(client_reader, server_writer), pipe(server_reader, client_writer)
    )


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()


asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 - loopback
        return str(r.read().decode("utf-8", "replace"))


def sign_in(session: Any, base: str, password: str, username: str = "analyst") -> float:
    """Sign in as a demo account on `session` (a requests session); returns the seconds taken."""
    started = time.perf_counter()
    page = session.get(base + "/accounts/sign-in/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    reply = session.post(
        base + "/accounts/sign-in/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": base + "/accounts/sign-in/"},
        timeout=60,
    )
    if "sessionid" not in {c.name for c in session.cookies} or reply.status_code >= 400:
        raise RuntimeError(f"signing in as {username} failed ({reply.status_code})")
    return time.perf_counter() - started


def find_urls(base: str, password: str) -> dict[str, Any]:
    """The demo's pages and documents, found by following its own links."""
    import requests

    listing = get(base + "/partnerships/")
    slugs = re.findall(r'href="/partnerships/([a-z0-9-]+)/"', listing)
    slug = "lancashire-south" if "lancashire-south" in slugs else slugs[0]
    public = [
        "/partnerships/",
        f"/partnerships/{slug}/",
        f"/plans/{slug}/published/",
        f"/meetings/{slug}/public/",
        f"/community/{slug}/map/",
        f"/intelligence/assessments/{slug}/published/",
    ]
    plans = get(f"{base}/plans/{slug}/published/")
    documents = sorted(set(re.findall(r'href="(/plans/[^"]+/plan\.(?:pdf|json))"', plans)))[:2]
    session = requests.Session()
    sign_in(session, base, password)
    listing = session.get(f"{base}/intelligence/assessments/{slug}/", timeout=60).text
    ids = sorted(set(re.findall(rf"/intelligence/assessments/{slug}/(\d+)/", listing)))
    signed_in = [f"/partnerships/{slug}/", f"/intelligence/assessments/{slug}/", "/"]
    if ids:
        signed_in.append(f"/intelligence/assessments/{slug}/{ids[0]}/")
        documents += [
            f"/intelligence/assessments/{slug}/{ids[0]}/document.{f}" for f in ("pdf", "json")
        ]
    # Render every document once (the first request renders and caches it; not measured).
    for path in documents:
        session.get(base + path, timeout=300)
    return {"slug": slug, "public": public, "signed_in": signed_in, "documents": documents}


def start_servers(env: dict[str, str], ports: list[int], logs: Path) -> list[subprocess.Popen]:
    procs = []
    for i, port in enumerate(ports):
        command = [str(BIN / "cdrp"), "serve", "--port", str(port), "--workers", "2"]
        if i:
            command.append("--no-task-worker")
        out = open(logs / f"serve-{port}.log", "w")  # noqa: SIM115 - closed with the process
        procs.append(
            subprocess.Popen(  # noqa: S603 - our own console script
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def summary(stats: Any, seconds: float) -> dict[str, Any]:
    def one(entry: Any) -> dict[str, Any]:
        n = entry.num_requests
        return {
            "requests": n,
            "errors": entry.num_failures,
            "rps": round(n / seconds, 1) if seconds else None,
            "p50_ms": entry.get_response_time_percentile(0.5) if n else None,
            "p95_ms": entry.get_response_time_percentile(0.95) if n else None,
            "p99_ms": entry.get_response_time_percentile(0.99) if n else None,
            "max_ms": round(entry.max_response_time or 0, 1) if n else None,
        }

    out = one(stats.total)
    out["by_kind"] = {name: one(entry) for (name, _method), entry in sorted(stats.entries.items())}
    out["errors_seen"] = {
        f"{e.method} {e.name}: {e.error}"[:200]: e.occurrences for e in stats.errors.values()
    }
    return out


def run_locust(
    user_class: type,
    base: str,
    users: int,
    seconds: float,
    max_requests: int,
    ready: Any = None,
) -> dict:
    import gevent
    from locust.env import Environment

    env = Environment(user_classes=[user_class], host=base)
    runner = env.create_local_runner()
    counted = {"n": 0}

    def on_request(**_kwargs: Any) -> None:
        counted["n"] += 1
        if counted["n"] == max_requests:
            gevent.spawn(runner.quit)

    env.events.request.add_listener(on_request)
    runner.start(users, spawn_rate=max(users / 5, 1))
    # Measure from when every user has started (and, for the mix, signed in).
    deadline = time.monotonic() + 300
    while (runner.user_count < users or (ready and not ready())) and time.monotonic() < deadline:
        gevent.sleep(0.2)
    env.stats.reset_all()
    counted["n"] = 0
    started = time.perf_counter()
    timer = gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    timer.kill()
    elapsed = time.perf_counter() - started
    out = summary(env.stats, elapsed)
    out["users"], out["seconds"] = users, round(elapsed, 1)
    return out


def user_classes(urls: dict[str, Any], password: str, sign_ins: list[float]) -> tuple[type, type]:
    import requests
    from locust import HttpUser, between, constant, task
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    public_pages, signed_in_pages = urls["public"], urls["signed_in"]
    documents = urls["documents"]
    api = "/api/counts?by=district,month,category&from=2021-12&to=2022-11"

    def keep_alive_retry(client: Any) -> None:
        # As a browser does: a GET sent on a kept-alive connection the server had just closed
        # (gunicorn closes idle ones after 2 s; users think 1-3 s) is sent once more on a new
        # connection. Its time counts in full; a second failure is an error.
        adapter = HTTPAdapter(max_retries=Retry(total=1, connect=1, read=1, status=0, other=0))
        client.mount("http://", adapter)

    class Public(HttpUser):
        wait_time = constant(0)

        def on_start(self) -> None:
            keep_alive_retry(self.client)

        @task
        def page(self) -> None:
            self.client.get(random.choice(public_pages), name="public page")  # noqa: S311

    class Mixed(HttpUser):
        wait_time = between(1, 3)

        def on_start(self) -> None:
            keep_alive_retry(self.client)
            # Signing in (a deliberately slow password hash) is timed on its own, not in the mix.
            session = requests.Session()
            sign_ins.append(sign_in(session, self.host, password))
            self.client.cookies.update(session.cookies)

        @task(4)
        def public(self) -> None:
            self.client.get(random.choice(public_pages), name="public page")  # noqa: S311

        @task(3)
        def signed_in(self) -> None:
            with self.client.get(
                random.choice(signed_in_pages),  # noqa: S311
                name="signed-in page",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                if r.status_code != 200:
                    r.failure(f"status {r.status_code} (not signed in?)")

        @task(2)
        def counts_api(self) -> None:
            self.client.get(api, name="counts API")

        @task(1)
        def document(self) -> None:
            self.client.get(random.choice(documents), name="cached document")  # noqa: S311

    return Public, Mixed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="an existing demo data directory (else a new one)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--step-seconds", type=float, default=15.0)
    parser.add_argument("--max-step-users", type=int, default=32)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cdrp-bench-load-"))
    data = Path(args.data_dir) if args.data_dir else work / "data"
    env = dict(os.environ, CDRP_DATA_DIR=str(data), CDRP_HTTPS="0", PYTHONUNBUFFERED="1")
    env.pop("DATABASE_URL", None)
    env.setdefault("DJANGO_SETTINGS_MODULE", "cdrp.settings")
    setup_started = time.perf_counter()
    if not (data / "demo-password.txt").exists():
        subprocess.run(  # noqa: S603 - our own console script
            [str(BIN / "cdrp"), "demo", "--no-serve"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=work,
        )
    password = (data / "demo-password.txt").read_text().strip()
    ports = [free_port(), free_port()]
    front = free_port()
    procs = start_servers(env, ports, work)
    proxy = subprocess.Popen(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", PROXY, str(front), *map(str, ports)], start_new_session=True
    )
    procs.append(proxy)
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/partnerships/")
        base = f"http://127.0.0.1:{front}"
        wait_for(base + "/partnerships/")
        urls = find_urls(base, password)
        sign_ins: list[float] = []
        Public, Mixed = user_classes(urls, password, sign_ins)
        # Warm both servers (first requests import modules and fill caches; not measured).
        for _ in range(4):
            for path in urls["public"]:
                get(base + path)
        setup = time.perf_counter() - setup_started

        mixed = run_locust(
            Mixed,
            base,
            args.users,
            args.seconds,
            args.max_requests,
            ready=lambda: len(sign_ins) >= args.users,
        )

        steps, best, users = [], 0.0, 1
        while users <= args.max_step_users:
            step = run_locust(Public, base, users, args.step_seconds, args.max_requests)
            steps.append(
                {k: step[k] for k in ("users", "requests", "errors", "rps", "p50_ms", "p95_ms")}
            )
            if step["rps"] < best * 1.05 and users > 1:
                break
            best = max(best, step["rps"])
            users *= 2
        best_step = max(steps, key=lambda s: s["rps"])
    finally:
        stop(procs)

    result = {
        "bench": "load",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "note": "shared 2-core machine: servers, proxy and locust share the cores; noisy",
        },
        "setup": {
            "servers": 2,
            "gunicorn_workers_each": 2,
            "threads_each": 4,
            "proxy": "round-robin per connection, 127.0.0.1",
            "seconds_not_timed": round(setup, 1),
            "urls": urls,
        },
        "mixed": mixed,
        "sign_in_s": {
            "count": len(sign_ins),
            "median": round(float(sorted(sign_ins)[len(sign_ins) // 2]), 3) if sign_ins else None,
            "max": round(max(sign_ins), 3) if sign_ins else None,
            "note": "each user signs in once before its mix (password hashing); not in the mix",
        },
        "saturation_public_pages": {
            "steps": steps,
            "saturation_users": best_step["users"],
            "saturation_rps": best_step["rps"],
        },
        "targets": {
            "mixed_p95_ms": {
                "value": mixed["p95_ms"],
                "target": P95_TARGET_MS,
                "pass": mixed["p95_ms"] is not None and mixed["p95_ms"] < P95_TARGET_MS,
            },
            "mixed_errors": {"value": mixed["errors"], "target": 0, "pass": mixed["errors"] == 0},
            "saturation_public_rps": {
                "value": best_step["rps"],
                "target": SATURATION_TARGET_RPS,
                "pass": best_step["rps"] >= SATURATION_TARGET_RPS,
            },
        },
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
