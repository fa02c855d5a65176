"""Drives the load test of .ci/load: starts `convene serve --demo`, signs in as the demo
volunteer and coordinator, runs wrk against each endpoint (the dashboard, a feed fresh and
revalidated, a case page, the candidate search, the application form), and reports requests per second,
p50/p99 latency, 5xx count and the server's peak memory; then cold start and idle memory."""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

BINARY = sys.argv[1]
SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
CONNECTIONS = 50
DATABASES = os.environ.get("LOAD_DATABASES", "sqlite,postgres").split(",")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"

WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) server_errors = 0 end
function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end
function done(summary, latency, requests)
  local errors = 0
  for _, t in ipairs(threads) do errors = errors + t:get("server_errors") end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "server_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def wait_healthy(base, process, timeout=30.0):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"convene serve exited: {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.005)
    raise SystemExit("convene serve not healthy in time")


def serve(database_url, demo):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [BINARY, "serve", "--bind", f"127.0.0.1:{port}", "--database-url", database_url]
    if demo:
        args.append("--demo")
    env = dict(os.environ, RUST_LOG="warn")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
    started = time.monotonic()
    took = wait_healthy(base, process)
    return process, base, took, started


def demo_logins(process):
    """The demo prints `  role  email  password: secret` lines before it serves."""
    logins = {}
    for line in process.stdout:
        match = re.match(r"\s+(\w+)\s+(\S+)\s+password: (\S+)", line)
        if match:
            logins[match.group(1)] = (match.group(2), match.group(3))
        if len(logins) == 3:
            break
    return logins


def api_token(database_url, email):
    out = subprocess.run([BINARY, "token", "create", "--email", email], capture_output=True, text=True,
                         env=dict(os.environ, DATABASE_URL=database_url, RUST_LOG="warn"), check=True)
    return out.stdout.strip().splitlines()[-1]


def session_cookie(base, email, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(base + "/login").read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": csrf, "next": "/", "email": email, "password": password})
    try:
        opener.open(base + "/login", data=form.encode())
    except urllib.error.HTTPError as redirect:
        if redirect.code not in (302, 303):
            raise
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def api(base, path, token, method="GET"):
    request = urllib.request.Request(base + path, method=method, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null"), response.headers


def feed_url(base, token):
    """Rotates the volunteer's calendar token and returns the https feed address."""
    body, _ = api(base, "/api/v1/me/calendar-token", token, method="POST")
    for value in body.values() if isinstance(body, dict) else []:
        if isinstance(value, str) and value.endswith(".ics") and "://" in value:
            return "/" + value.split("://", 1)[1].split("/", 1)[1]
    raise SystemExit(f"no feed address in {body}")


def wrk(url, headers):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s", "-s", script.name]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def run(database, database_url):
    process, base, _, _ = serve(database_url, demo=True)
    logins = demo_logins(process)
    volunteer_email, volunteer_password = logins["volunteer"]
    coordinator_email, coordinator_password = logins["coordinator"]
    cookie = session_cookie(base, volunteer_email, volunteer_password)
    coordinator_cookie = session_cookie(base, coordinator_email, coordinator_password)
    coordinator = api_token(database_url, coordinator_email)
    volunteer = api_token(database_url, volunteer_email)
    cases, _ = api(base, "/api/v1/cases", coordinator)
    items = cases if isinstance(cases, list) else cases.get("items", cases.get("cases", []))
    ready = next(c["id"] for c in items if c.get("status") == "ready")
    feed = feed_url(base, volunteer)
    with urllib.request.urlopen(base + feed) as response:
        etag = response.headers["ETag"]

    endpoints = [
        ("volunteer dashboard", "/", {"Cookie": cookie}),
        ("calendar feed (200)", feed, {}),
        ("calendar feed (304)", feed, {"If-None-Match": etag}),
        ("case page", f"/cases/{ready}", {"Cookie": coordinator_cookie}),
        ("candidate search", f"/api/v1/cases/{ready}/candidates", {"Authorization": f"Bearer {coordinator}"}),
        ("public application form", "/apply", {}),
    ]
    rows = []
    for name, path, headers in endpoints:
        print(f"-- {database}: {name} ({SECONDS} s)", file=sys.stderr)
        rows.append((name, wrk(base + path, headers)))
    peak = memory_kib(process.pid, "VmHWM")
    process.terminate()
    process.wait()

    # Cold start on the now-populated database, then idle memory.
    process, base, took, _ = serve(database_url, demo=False)
    time.sleep(3)  # idle: let start-up allocations settle before reading resident memory
    idle = memory_kib(process.pid, "VmRSS")
    process.terminate()
    process.wait()
    return rows, peak, took, idle


def main():
    report = []
    for database in DATABASES:
        if database == "sqlite":
            directory = tempfile.mkdtemp(prefix="convene-load-")
            url = f"sqlite:{directory}/load.db"
        else:
            name = "convene_load"
            subprocess.run(["psql", PG_ADMIN, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
            subprocess.run(["psql", PG_ADMIN, "-qc", f'CREATE DATABASE "{name}"'], check=True)
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        report.append((database, *run(database, url)))

    print(f"\n{CONNECTIONS} connections, {SECONDS} s per endpoint, release build, loopback\n")
    print("| database | endpoint | req/s | p50 ms | p99 ms | 5xx | socket errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for database, rows, _, _, _ in report:
        for name, r in rows:
            print(f"| {database} | {name} | {r['rps']:.0f} | {r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} "
                  f"| {r['server_errors']} | {r['socket_errors']} |")
    print()
    print("| database | peak memory under load | cold start to healthy | idle memory |")
    print("|---|---:|---:|---:|")
    for database, _, peak, took, idle in report:
        print(f"| {database} | {peak / 1024:.1f} MiB | {took * 1000:.0f} ms | {idle / 1024:.1f} MiB |")
    if any(r["server_errors"] for _, rows, _, _, _ in report for _, r in rows):
        raise SystemExit("5xx responses under load")


if __name__ == "__main__":
    main()
