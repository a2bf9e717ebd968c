"""Webhook delivery benchmark on a release build, all on loopback:

- write throughput (POST /tags) without a webhook, then with one endpoint
  subscribed to everything and deliveries running: the cost deliveries add
  to a write;
- commit-to-delivery latency (the change's `occurred_at` to its arrival)
  under a steady load of 100 writes/s;
- delivery throughput: a backlog written while no node delivers
  (KIOSQUE_WEBHOOK_CONCURRENCY=0), then the nodes restarted: changes
  delivered per second, fan-out included.

Usage: python3 bench/webhooks.py sqlite|postgres [nodes]   (PostgreSQL: 3 nodes)
The load generator and the receiver share the machine's cores with Kiosque:
compare figures from one run, not across machines.
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.expanduser("~"), ".cache", "kiosque-release"))
# KIOSQUE_BENCH_BIN: a binary built beforehand (to compare two builds back to back)
BIN = os.environ.get("KIOSQUE_BENCH_BIN") or os.path.join(TARGET, "release", "kiosque")
RECEIVER_PORT = 18190
PASSWORD = "Tromp3tte-du-Lundi-2026"
backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
count = int(sys.argv[2]) if len(sys.argv) > 2 else (3 if backend == "postgres" else 1)
work = tempfile.mkdtemp(prefix="kiosque-wh-bench-")
procs = []

if backend == "sqlite":
    database = f"sqlite://{work}/bench.db"
else:
    name = f"kiosque_whbench_{os.getpid()}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    database = f"postgres://postgres@127.0.0.1:5432/{name}"

base_env = dict(
    os.environ,
    DATABASE_URL=database,
    KIOSQUE_DATA_DIR=work,
    KIOSQUE_LOG="warn",
    KIOSQUE_JWT_SECRET="bench-secret-bench-secret-bench-secret",
    KIOSQUE_OUTBOUND_ALLOW="127.0.0.0/8",
    KIOSQUE_WORKERS="2",
    KIOSQUE_RATE_LIMIT_STORE="memory",
)


def start_nodes(concurrency="16"):
    nodes = []
    for i in range(count):
        env = dict(base_env, KIOSQUE_ADDR=f"127.0.0.1:{18200 + i}", KIOSQUE_WEBHOOK_CONCURRENCY=concurrency)
        p = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL)
        procs.append(p)
        nodes.append((p, 18200 + i))
    for _, port in nodes:
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
    return nodes


def stop_nodes(nodes):
    for p, _ in nodes:
        p.terminate()
        p.wait()


def call(port, method, path, body=None, token=None, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    c.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = c.getresponse()
    data = r.read()
    return r.status, (json.loads(data) if data else None)


counter = iter(range(10**9))
counter_lock = threading.Lock()


def write_many(ports, token, n, threads=8, rate=None):
    """n tags created by `threads` clients (keep-alive), round robin over the
    nodes; at `rate` writes/s when given. Returns writes per second."""
    def worker(k):
        port = ports[k % len(ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = 0
        for j in range(k, n, threads):
            if rate:
                due = start + j / rate
                pause = due - time.time()
                if pause > 0:
                    time.sleep(pause)
            with counter_lock:
                i = next(counter)
            status, _ = call(port, "POST", "/api/v1/tags", {"name": f"Bench {i}"}, token, conn)
            assert status == 201, status
            done += 1
        return done

    start = time.time()
    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(worker, range(threads)))
    return total / (time.time() - start)


def records(since=0):
    c = http.client.HTTPConnection("127.0.0.1", RECEIVER_PORT, timeout=30)
    c.request("GET", f"/records?from={since}")
    return json.loads(c.getresponse().read())


def wait_records(n, limit=120):
    deadline = time.time() + limit
    while time.time() < deadline:
        got = records()
        if len(got) >= n:
            return got
        time.sleep(0.2)
    raise SystemExit(f"only {len(records())} of {n} deliveries arrived")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


if not os.environ.get("KIOSQUE_BENCH_BIN"):
    subprocess.run(["cargo", "build", "--release", "-q", "--bin", "kiosque"], cwd=ROOT,
                   env=dict(os.environ, CARGO_TARGET_DIR=TARGET), check=True)

try:
    receiver = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "receiver.py"), str(RECEIVER_PORT)])
    procs.append(receiver)
    subprocess.run([BIN, "migrate"], env=base_env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [BIN, "create-user", "--email", "perf@example.org", "--role", "admin", "--name", "Bench"],
        env=base_env, input=f"{PASSWORD}\n", text=True, check=True, stdout=subprocess.DEVNULL,
    )
    nodes = start_nodes()
    ports = [port for _, port in nodes]
    _, session = call(ports[0], "POST", "/api/v1/auth/login", {"email": "perf@example.org", "password": PASSWORD})
    token = session["access_token"]
    write_many(ports, token, 200)  # warm up

    without = write_many(ports, token, 1500)
    status, _ = call(ports[0], "POST", "/api/v1/webhooks",
                     {"url": f"http://127.0.0.1:{RECEIVER_PORT}/hook", "event_types": ["*"]}, token)
    assert status == 201, status
    with_hook = write_many(ports, token, 1500)
    wait_records(1500)

    seen = len(records())
    write_many(ports, token, 1000, threads=4, rate=100)
    steady = records(seen)
    while len(steady) < 1000:
        time.sleep(0.2)
        steady = records(seen)
    lat = [(arrived - occurred) * 1000 for arrived, _, occurred in steady]

    stop_nodes(nodes)
    nodes = start_nodes(concurrency="0")
    backlog = 3000
    write_many(ports, token, backlog)
    stop_nodes(nodes)
    seen = len(records())
    began = time.time()
    nodes = start_nodes()
    got = wait_records(seen + backlog)
    took = max(arrived for arrived, _, _ in got[seen:]) - began
    ids = [i for _, i, _ in got]
    stop_nodes(nodes)

    print(f"backend {backend}, {count} node(s), release build, receiver and load on the same cores")
    print(f"writes/s without a webhook      {without:8.0f}")
    print(f"writes/s while delivering       {with_hook:8.0f}   (cost {100 * (1 - with_hook / without):.1f}%)")
    print(f"commit-to-delivery at 100 w/s   p50 {pct(lat, 0.5):6.1f} ms   p99 {pct(lat, 0.99):6.1f} ms")
    print(f"delivery throughput (backlog)   {backlog / took:8.0f} events/s   ({backlog} in {took:.1f} s, node start included)")
    print(f"duplicates seen                 {len(ids) - len(set(ids))}")
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
            p.wait()
    shutil.rmtree(work, ignore_errors=True)
    if backend == "postgres":
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
