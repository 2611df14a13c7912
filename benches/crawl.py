#!/usr/bin/env python3
"""Crawl throughput on loopback: sitelift against Scrapy, side by side.

Generates a static site in /tmp (N article pages of about S KB each, plus an
index; every page links to the next one and to 20 others, like a news site's
sidebar), serves it with nginx (or `sitelift serve` when nginx is absent),
and crawls it with each engine in interleaved rounds: sitelift (`crawl`,
politeness off, a fresh store per round, `[media] fetch = false` unless
--media, since the spider fetches no media either) and, when it is installed
(`pip install scrapy`), a minimal Scrapy spider that follows same-site links
and saves nothing. Every crawler runs under `/usr/bin/time -v` (wall, CPU
user+sys, peak RSS), pinned to one core with `taskset -c 0` unless --no-pin;
the server runs on the other core. Prints one table row per run and the
ratio of the medians.

Usage:
    python3 benches/crawl.py --pages 10000 --kb 31 --rounds 3
    python3 benches/crawl.py --pages 10000 --kb 236 --rounds 3 \
        --sitelift target/release/sitelift --sitelift before=/path/to/old/sitelift

Each --sitelift is NAME=PATH (or PATH, named "sitelift"); several are
interleaved with Scrapy in every round.
"""

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HOST = "bench.test"
WORDS = (
    "government minister talks sanctions nuclear agreement parliament border "
    "security economy oil exports protest students court ruling election "
    "council report human rights officials region province capital city"
).split()


def sentence(r, n):
    words = [r.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def page_html(r, i, n, kb):
    """Page i of n: a header, a navigation bar, the article, a sidebar of
    links to other pages, padded with paragraphs to about kb KB."""
    links = [(i + 1) % n] + [r.randrange(n) for _ in range(20)]
    nav = "".join(f'<li><a href="/p{k}.html">Section {k % 12}</a></li>' for k in range(12))
    side = "".join(
        f'<li class="item"><a href="/p{k}.html" title="{sentence(r, 4)}">{sentence(r, 6)}</a></li>'
        for k in links
    )
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Article {i}: {sentence(r, 6)}</title>"
        f'<link rel="stylesheet" href="/style.css"><link rel="canonical" href="http://{HOST}/p{i}.html">'
        f'</head><body><header class="site"><nav><ul>{nav}</ul></nav></header>'
        f'<main><article class="post"><h1>{sentence(r, 8)}</h1>'
        f'<p class="byline">By <a href="/p{(i * 7) % n}.html">Staff writer</a></p>'
    )
    tail = f'</article><aside class="sidebar"><ul>{side}</ul></aside></main><footer>&copy; 2026</footer></body></html>\n'
    body = []
    size = len(head) + len(tail)
    while size < kb * 1024:
        p = f"<p>{' '.join(sentence(r, r.randrange(8, 20)) for _ in range(5))}</p>\n"
        body.append(p)
        size += len(p)
    return head + "".join(body) + tail


def generate(site, n, kb, seed):
    """Write the site (once: a folder with a .done marker is reused)."""
    if os.path.exists(os.path.join(site, ".done")):
        return
    os.makedirs(site, exist_ok=True)
    for i in range(n):
        r = random.Random(seed * 1_000_003 + i)
        with open(os.path.join(site, f"p{i}.html"), "w") as f:
            f.write(page_html(r, i, n, kb))
    index = "".join(f'<li><a href="/p{k}.html">Article {k}</a></li>' for k in range(0, n, max(1, n // 100)))
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write(f"<!DOCTYPE html><html><head><title>Index</title></head><body><ul>{index}</ul></body></html>\n")
    open(os.path.join(site, ".done"), "w").close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc):
    for _ in range(3000):
        if proc.poll() is not None:
            sys.exit(f"the server exited ({proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.01)
    sys.exit(f"the server did not listen on {port}")


def start_server(site, work, pin, sitelift):
    """nginx on the site (the server on core 1 when pinning), else sitelift serve."""
    port = free_port()
    taskset = ["taskset", "-c", "1"] if pin else []
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx:
        prefix = os.path.join(work, "nginx")
        for d in ("logs", "tmp"):
            os.makedirs(os.path.join(prefix, d), exist_ok=True)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(
                f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\n"
                f"events {{ worker_connections 1024; }}\nhttp {{\n access_log off;\n sendfile on;\n"
                f" keepalive_requests 1000000;\n client_body_temp_path {prefix}/tmp/body;\n"
                f" proxy_temp_path {prefix}/tmp/proxy;\n fastcgi_temp_path {prefix}/tmp/fastcgi;\n"
                f" uwsgi_temp_path {prefix}/tmp/uwsgi;\n scgi_temp_path {prefix}/tmp/scgi;\n"
                f" types {{ text/html html; }}\n server {{\n  listen 127.0.0.1:{port};\n"
                f"  root {site};\n }}\n}}\n"
            )
        cmd = taskset + [nginx, "-p", prefix, "-c", conf, "-e", f"{prefix}/logs/error.log", "-g", "daemon off;"]
        name = "nginx"
    else:
        cmd = taskset + [sitelift, "serve", site, "--bind", f"127.0.0.1:{port}"]
        name = "sitelift serve"
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port, proc)
    return proc, port, name


PROFILE = """[site]
name = "bench"

[crawl]
start_urls = ["http://{host}/index.html"]

[crawl.scope]
allowed_hosts = ["{host}"]
max_depth = 100000

[crawl.canonical]
https = false
{media}
[[template]]
name = "page"
[template.match]
present = ["h1"]
[template.fields.title]
select = ["h1"]
"""

SPIDER = '''
import scrapy
from urllib.parse import urlsplit

class Bench(scrapy.Spider):
    name = "bench"
    custom_settings = {{
        "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "WARNING", "DEPTH_LIMIT": 0,
        "HTTPCACHE_ENABLED": False, "RETRY_ENABLED": False,
    }}
    start_urls = ["http://127.0.0.1:{port}/index.html"]
    pages = 0

    def parse(self, response):
        self.pages += 1
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == "127.0.0.1:{port}":
                yield scrapy.Request(url, callback=self.parse)

    def closed(self, reason):
        print("SCRAPY_PAGES", self.pages)
'''


def timed(cmd, pin):
    """Run cmd under /usr/bin/time -v; wall, cpu (user+sys), peak RSS (MB), output."""
    full = ["/usr/bin/time", "-v"] + (["taskset", "-c", "0"] if pin else []) + cmd
    t0 = time.monotonic()
    p = subprocess.run(full, capture_output=True, text=True)
    wall = time.monotonic() - t0
    err = p.stderr
    grab = lambda k: float(re.search(rf"{k}: ([0-9.]+)", err).group(1))
    cpu = grab(r"User time \(seconds\)") + grab(r"System time \(seconds\)")
    rss = grab(r"Maximum resident set size \(kbytes\)") / 1024
    if p.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({p.returncode}):\n{err[-2000:]}")
    return wall, cpu, rss, p.stdout + err


def run_sitelift(path, work, port, pin, rnd, name):
    store = os.path.join(work, f"store-{name}-{rnd}")
    shutil.rmtree(store, ignore_errors=True)
    profile = os.path.join(work, "bench.toml")
    cmd = [path, "crawl", "--profile", profile, "--store", store,
           "--connect-to", f"{HOST}=127.0.0.1:{port}", "--allow-private", "127.0.0.1",
           "--delay-ms", "0", "--concurrency", "32", "--per-host", "32", "--ignore-robots"]
    wall, cpu, rss, out = timed(cmd, pin)
    # the ledger says how many pages were fetched
    import sqlite3
    db = sqlite3.connect(os.path.join(store, "ledger.sqlite"))
    pages = db.execute("select count(*) from urls where status = 'fetched'").fetchone()[0]
    db.close()
    shutil.rmtree(store, ignore_errors=True)
    return wall, cpu, rss, pages


def run_scrapy(work, port, pin):
    spider = os.path.join(work, "bench_spider.py")
    with open(spider, "w") as f:
        f.write(SPIDER.format(port=port))
    wall, cpu, rss, out = timed([sys.executable, "-m", "scrapy", "runspider", spider], pin)
    m = re.search(r"SCRAPY_PAGES (\d+)", out)
    return wall, cpu, rss, int(m.group(1)) if m else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--kb", type=int, default=31)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sitelift", action="append", default=[])
    ap.add_argument("--no-scrapy", action="store_true")
    ap.add_argument("--no-pin", action="store_true")
    ap.add_argument("--media", action="store_true",
                    help="keep [media] fetch on (the default of profiles): each page is extracted for its assets")
    a = ap.parse_args()
    pin = not a.no_pin and shutil.which("taskset") is not None
    engines = []
    for s in a.sitelift or ["target/release/sitelift"]:
        name, _, path = s.rpartition("=")
        engines.append((name or "sitelift", os.path.abspath(path)))
    try:
        import scrapy  # noqa: F401
        have_scrapy = not a.no_scrapy
    except ImportError:
        have_scrapy = False
        print("Scrapy is not installed (pip install scrapy): sitelift only", file=sys.stderr)
    work = os.path.join(tempfile.gettempdir(), f"sitelift-crawl-bench-{a.kb}k-{a.pages}")
    site = os.path.join(work, "site")
    generate(site, a.pages, a.kb, a.seed)
    with open(os.path.join(work, "bench.toml"), "w") as f:
        # like the spider, sitelift fetches no media unless --media
        f.write(PROFILE.format(host=HOST, media="" if a.media else "\n[media]\nfetch = false\n"))
    server, port, server_name = start_server(site, work, pin, engines[0][1])
    rows = []
    try:
        for rnd in range(1, a.rounds + 1):
            for name, path in engines:
                rows.append((rnd, name) + run_sitelift(path, work, port, pin, rnd, name))
                print_row(rows[-1])
            if have_scrapy:
                rows.append((rnd, "scrapy") + run_scrapy(work, port, pin))
                print_row(rows[-1])
    finally:
        server.terminate()
        server.wait()
    summary(rows, a, server_name, pin)


def print_row(r):
    rnd, name, wall, cpu, rss, pages = r
    print(f"| {rnd} | {name} | {pages} | {wall:.2f} | {pages / wall:.0f} | {cpu:.2f} | {rss:.0f} |", flush=True)


def summary(rows, a, server_name, pin):
    print(f"\n{a.pages + 1} pages of ~{a.kb} KB served by {server_name}; crawler "
          f"{'pinned to core 0' if pin else 'unpinned'}; medians of {a.rounds} rounds:")
    med = {}
    for name in dict.fromkeys(r[1] for r in rows):
        mine = [r for r in rows if r[1] == name]
        rate = statistics.median(r[5] / r[2] for r in mine)
        cpu_rate = statistics.median(r[5] / r[3] for r in mine)
        med[name] = rate
        print(f"  {name}: {rate:.0f} pages/s wall, {cpu_rate:.0f} pages per CPU-second, "
              f"peak RSS {statistics.median(r[4] for r in mine):.0f} MB")
    if "scrapy" in med:
        for name, rate in med.items():
            if name != "scrapy":
                print(f"  {name} / scrapy: {rate / med['scrapy']:.1f}x")


if __name__ == "__main__":
    main()
