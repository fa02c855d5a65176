"""Drives .ci/feeds-vs-nginx: the demo's volunteer feed from `convene serve` and the same
bytes from nginx (two workers, like Convene's two cores), each hit by wrk for 200 and 304."""

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("load", os.path.join(HERE, "load.py"))
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)  # reads the binary from sys.argv[1], as .ci/load does

SECONDS = int(os.environ.get("LOAD_SECONDS", "10"))
load.SECONDS = SECONDS
DATABASES = os.environ.get("LOAD_DATABASES", "sqlite,postgres").split(",")

NGINX_CONF = """
worker_processes 2;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types {{ text/calendar ics; }}
  server {{
    listen 127.0.0.1:{port};
    root {dir};
    location / {{ add_header Cache-Control "private, max-age=3600"; }}
  }}
}}
"""


def nginx_binary():
    for candidate in ("/usr/sbin/nginx", "nginx"):
        if os.path.exists(candidate) or candidate == "nginx":
            return candidate
    raise SystemExit("nginx not found")


def start_nginx(feed_bytes):
    directory = tempfile.mkdtemp(prefix="convene-nginx-")
    os.chmod(directory, 0o755)  # nginx's workers run as an unprivileged user
    with open(os.path.join(directory, "feed.ics"), "wb") as out:
        out.write(feed_bytes)
    port = load.free_port()
    conf = os.path.join(directory, "nginx.conf")
    with open(conf, "w") as out:
        out.write(NGINX_CONF.format(dir=directory, port=port))
    process = subprocess.Popen([nginx_binary(), "-c", conf, "-p", directory])
    url = f"http://127.0.0.1:{port}/feed.ics"
    for _ in range(200):
        try:
            with urllib.request.urlopen(url) as response:
                return process, url, response.headers["ETag"]
        except OSError:
            time.sleep(0.02)
    process.terminate()
    raise SystemExit("nginx did not start")


def measure(database, database_url):
    process, base, _, _ = load.serve(database_url, demo=True)
    logins = load.demo_logins(process)
    volunteer = load.api_token(database_url, logins["volunteer"][0])
    feed = base + load.feed_url(base, volunteer)
    with urllib.request.urlopen(feed) as response:
        etag = response.headers["ETag"]
        body = response.read()
    rows = []
    nginx = None
    try:
        nginx, nginx_url, nginx_etag = start_nginx(body)
        for name, url, headers in [
            ("convene 200", feed, {}),
            ("nginx 200", nginx_url, {}),
            ("convene 304", feed, {"If-None-Match": etag}),
            ("nginx 304", nginx_url, {"If-None-Match": nginx_etag}),
        ]:
            print(f"-- {database}: {name} ({SECONDS} s)", file=sys.stderr)
            rows.append((name, load.wrk(url, headers)))
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        process.terminate()
        process.wait()
    return len(body), dict(rows)


def main():
    print(f"\nwrk -t2 -c{load.CONNECTIONS}, {SECONDS} s each, release build, loopback, same run\n")
    print("| database | feed bytes | convene 200 req/s | nginx 200 req/s | ratio | convene 304 req/s | nginx 304 req/s | ratio | 5xx |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    failed = False
    for database in DATABASES:
        if database == "sqlite":
            url = f"sqlite:{tempfile.mkdtemp(prefix='convene-feeds-')}/feeds.db"
        else:
            name = "convene_feeds"
            subprocess.run(["psql", load.PG_ADMIN, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
            subprocess.run(["psql", load.PG_ADMIN, "-qc", f'CREATE DATABASE "{name}"'], check=True)
            url = load.PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        size, r = measure(database, url)
        errors = sum(v["server_errors"] for v in r.values())
        failed |= errors > 0
        ok = r["convene 200"]["rps"] / r["nginx 200"]["rps"]
        nm = r["convene 304"]["rps"] / r["nginx 304"]["rps"]
        print(f"| {database} | {size} | {r['convene 200']['rps']:.0f} | {r['nginx 200']['rps']:.0f} | {ok:.2f} "
              f"| {r['convene 304']['rps']:.0f} | {r['nginx 304']['rps']:.0f} | {nm:.2f} | {errors} |")
    if failed:
        raise SystemExit("5xx responses")


if __name__ == "__main__":
    main()
