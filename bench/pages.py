"""Benchmark: every page of the demo as each role, against the production server (`cdrp serve`).

The demo is loaded into a data directory (`cdrp demo --no-serve`, skipped when the directory
already holds one: pass --data-dir or CDRP_DATA_DIR), then `cdrp serve` (gunicorn with the task
worker beside it) runs on a free port. For each role (anonymous, then the demo's member, chair,
analyst and coordinator, signed in with the demo password) the crawl follows every link on this
site from the home page and the partnership's overview, breadth first, up to --cap pages a role
(at most --variants addresses per path that differ only in their query). Nothing is posted but
the sign-in. Documents (PDF, XLSX, ICS) are not timed as pages: each is fetched until it is
ready (a first build answers 202 and says so), then fetched again, and the second fetch is what
counts. A page slower than a second on the first crawl is fetched again once the task queue is
empty (its documents built): that time is the one the target reads.

Prints one JSON object: per role the status counts, p50/p95 and the slowest pages; the 10
slowest pages overall; the documents; each target with "pass" true or false.

    .venv/bin/python bench/pages.py                       # a fresh demo in a temporary folder
    CDRP_DATA_DIR=/tmp/demo .venv/bin/python bench/pages.py --cap 300
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parents[1]
CDRP = [sys.executable, "-m", "cdrp"]
ROLES = ["anonymous", "member", "chair", "analyst", "coordinator"]
START = ["/", "/partnerships/lancashire-south/"]
PAGE_TARGET_S = 1.0
DOCUMENT_TARGET_S = 0.3
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/calendar": "ics",
}
DOCUMENT_SUFFIX = re.compile(r"\.(pdf|xlsx|ics)$")
# Never followed: the admin site, static files, signing out, and the second-factor set-up
# (a GET there makes a new unconfirmed authenticator).
SKIP = re.compile(r"^/(admin/|static/|accounts/(logout|sign-out|two-factor))")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_demo(data_dir: Path, env: dict) -> float:
    if (data_dir / "demo-password.txt").exists():
        return 0.0
    started = time.perf_counter()
    subprocess.run(  # noqa: S603  # our own interpreter, fixed arguments
        [*CDRP, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def start_server(env: dict, port: int, log) -> subprocess.Popen:
    # A session of its own, so that stopping it reaches gunicorn's workers and the task worker
    # however the server ends (see `stop_server`).
    server = subprocess.Popen(  # noqa: S603
        [*CDRP, "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code < 500:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit("cdrp serve did not answer within 600 s")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (gunicorn stops its workers, `cdrp serve` its task
    worker); SIGKILL to the group after a minute."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        return
    time.sleep(1)
    try:  # anything of the group left behind (a worker that outlived its parent)
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def sign_in(session: requests.Session, base: str, username: str, password: str) -> None:
    form = session.get(base + "/accounts/sign-in/")
    token = lxml_html.fromstring(form.content).xpath("//input[@name='csrfmiddlewaretoken']/@value")
    answer = session.post(
        base + "/accounts/sign-in/",
        data={"csrfmiddlewaretoken": token[0], "username": username, "password": password},
        headers={"Referer": base + "/accounts/sign-in/"},
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"could not sign in as {username}: {answer.status_code}")


def fetch(session: requests.Session, url: str, **headers) -> tuple[requests.Response, float]:
    started = time.perf_counter()
    answer = session.get(url, allow_redirects=False, timeout=300, headers=headers)
    answer.content  # noqa: B018  # the whole body, timed
    return answer, time.perf_counter() - started


def links(base: str, page_url: str, body: bytes) -> list[str]:
    try:
        tree = lxml_html.fromstring(body)
    except Exception:  # noqa: BLE001  # an empty or odd body: no links
        return []
    out = []
    for href in tree.xpath("//a/@href"):
        url = urldefrag(urljoin(page_url, href.strip()))[0]
        if url.startswith(base):
            out.append(url[len(base) :] or "/")
    return out


def kind_of(answer: requests.Response, path: str) -> str | None:
    content_type = answer.headers.get("Content-Type", "").split(";")[0].strip()
    if content_type in DOCUMENT_TYPES:
        return DOCUMENT_TYPES[content_type]
    match = DOCUMENT_SUFFIX.search(urlsplit(path).path)
    return match.group(1) if match else None


def crawl(session, base: str, cap: int, variants: int, documents: dict, role: str) -> list[dict]:
    """Breadth first from START; each page once; documents set aside for `measure_document`."""
    queue = collections.deque(START)
    seen = set(START)
    per_path: collections.Counter = collections.Counter()
    pages: list[dict] = []
    while queue and len(pages) < cap:
        path = queue.popleft()
        answer, seconds = fetch(session, base + path)
        kind = kind_of(answer, path)
        if kind and answer.status_code in (200, 202):
            documents.setdefault(path, {"kind": kind, "role": role, "session": session})
            continue
        pages.append({"path": path, "status": answer.status_code, "seconds": seconds})
        found = []
        if answer.is_redirect and "Location" in answer.headers:
            found = links(base, base + path, f'<a href="{answer.headers["Location"]}">'.encode())
        elif "text/html" in answer.headers.get("Content-Type", ""):
            found = links(base, base + path, answer.content)
        for link in found:
            bare = urlsplit(link).path
            if link in seen or SKIP.match(bare):
                continue
            if link != bare and per_path[bare] >= variants:
                continue
            seen.add(link)
            per_path[bare] += link != bare
            queue.append(link)
    return pages


def measure_document(session, base: str, path: str, wait_s: float) -> dict:
    """Fetch until ready (a first build answers 202), then once more: the second is timed."""
    deadline = time.monotonic() + wait_s
    answer, first = fetch(session, base + path)
    waited = 0
    while answer.status_code == 202 and time.monotonic() < deadline:
        time.sleep(float(answer.headers.get("Retry-After", "2")))
        waited += 1
        answer, first = fetch(session, base + path)
    again, second = fetch(session, base + path)
    return {
        "path": path,
        "status": [answer.status_code, again.status_code],
        "waits_for_build": waited,
        "first_ready_ms": round(first * 1000),
        "second_ms": round(second * 1000),
        "bytes": len(again.content),
        "same_etag": bool(again.headers.get("ETag"))
        and again.headers.get("ETag") == answer.headers.get("ETag"),
    }


def queue_empty(env: dict, wait_s: float) -> bool:
    """Wait until the task worker has nothing ready or running (documents built)."""
    probe = (
        "import django; django.setup()\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "print(DBTaskResult.objects.filter(status__in=['READY','RUNNING']).count())"
    )
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        left = subprocess.run(  # noqa: S603
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        if left == "0":
            return True
        time.sleep(3)
    return False


def ms(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0] * 1000, 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=os.environ.get("CDRP_DATA_DIR"))
    parser.add_argument("--cap", type=int, default=300, help="pages per role")
    parser.add_argument("--variants", type=int, default=4, help="query variants per path")
    parser.add_argument("--documents", type=int, default=60, help="documents measured at most")
    parser.add_argument("--wait", type=float, default=300, help="seconds to wait for builds")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="cdrp-bench-pages-"))
    env = {
        **os.environ,
        "CDRP_DATA_DIR": str(data_dir),
        "CDRP_HTTPS": "0",
        "CDRP_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "cdrp.settings",
    }
    demo_seconds = load_demo(data_dir, env)
    password = (data_dir / "demo-password.txt").read_text().strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(data_dir / "bench-pages-server.log", "w")  # noqa: SIM115
    server = start_server(env, port, log)
    out: dict = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": [round(x, 1) for x in os.getloadavg()],
        },
        "server": "cdrp serve (gunicorn, 2 workers x 4 threads, with the task worker)",
        "demo_load_seconds": round(demo_seconds, 1),
        "cap_per_role": args.cap,
    }
    try:
        documents: dict = {}
        results: dict[str, list[dict]] = {}
        sessions: dict[str, requests.Session] = {}
        started = time.perf_counter()
        for role in ROLES:
            session = requests.Session()
            if role != "anonymous":
                sign_in(session, base, role, password)
            sessions[role] = session
            results[role] = crawl(session, base, args.cap, args.variants, documents, role)
        crawl_seconds = time.perf_counter() - started

        measured = []
        for path, doc in list(documents.items())[: args.documents]:
            row = measure_document(doc["session"], base, path, args.wait)
            measured.append({**row, "kind": doc["kind"], "as": doc["role"]})

        # Pages over the target on the first crawl, again once the worker has built everything.
        drained = queue_empty(env, args.wait)
        for role, pages in results.items():
            for page in pages:
                if page["seconds"] > PAGE_TARGET_S:
                    _, page["settled_seconds"] = fetch(sessions[role], base + page["path"])

        out["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
        out["crawl_seconds"] = round(crawl_seconds, 1)
        out["queue_drained_before_refetch"] = drained
        out["roles"] = {}
        for role, pages in results.items():
            seconds = [p["seconds"] for p in pages]
            out["roles"][role] = {
                "pages": len(pages),
                "capped": len(pages) >= args.cap,
                "status": dict(sorted(collections.Counter(p["status"] for p in pages).items())),
                "p50_ms": ms(seconds, 50),
                "p95_ms": ms(seconds, 95),
                "max_ms": round(max(seconds) * 1000, 1) if seconds else None,
            }
        everything = [(role, p) for role, pages in results.items() for p in pages]
        everything.sort(key=lambda rp: rp[1]["seconds"], reverse=True)
        out["slowest_pages"] = [
            {
                "as": role,
                "path": p["path"],
                "status": p["status"],
                "first_ms": round(p["seconds"] * 1000),
                "settled_ms": round(p.get("settled_seconds", p["seconds"]) * 1000),
            }
            for role, p in everything[:10]
        ]
        errors = [
            {"as": role, "path": p["path"], "status": p["status"]}
            for role, p in everything
            if p["status"] >= 500
        ]
        settled_over = [
            {"as": role, "path": p["path"], "ms": round(p["settled_seconds"] * 1000)}
            for role, p in everything
            if p.get("settled_seconds", p["seconds"]) > PAGE_TARGET_S
        ]
        out["server_errors"] = errors
        out["documents"] = {
            "found": len(documents),
            "measured": len(measured),
            "by_kind": dict(collections.Counter(d["kind"] for d in measured)),
            "second_fetch_p50_ms": ms([d["second_ms"] / 1000 for d in measured], 50),
            "second_fetch_max_ms": max((d["second_ms"] for d in measured), default=None),
            "rows": sorted(measured, key=lambda d: -d["second_ms"]),
        }
        slow_docs = [
            d["path"]
            for d in measured
            if d["second_ms"] > DOCUMENT_TARGET_S * 1000 or d["status"][1] != 200
        ]
        out["targets"] = {
            "no page over 1 s once its documents are built": {
                "pass": not settled_over and drained,
                "over": settled_over,
            },
            "every cached PDF/XLSX/ICS under 300 ms (second fetch)": {
                "pass": bool(measured) and not slow_docs,
                "over_or_not_200": slow_docs,
            },
            "no server error": {"pass": not errors},
        }
    finally:
        stop_server(server)
        log.close()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
