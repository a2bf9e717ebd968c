#!/usr/bin/env python3
"""Helpers of bench/scale.sh that wrk cannot do.

  editors BASE EMAIL PASSWORD N PER   N editors (threads) each create PER
                                      articles at once; prints
                                      "count p50_ms p99_ms max_ms errors"
  multiply DB TOTAL                   copies the articles of the SQLite file DB
                                      (new slugs, same sections, authors and
                                      tags) until it holds TOTAL; much faster
                                      than seeding them one by one
  ready BIN                           starts BIN serve (environment as given)
                                      and prints the ms until /readyz answers
                                      200, then stops it
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def call(method, url, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def login(base, email, password):
    status, body = call("POST", base + "/auth/login", body={"email": email, "password": password})
    if status != 200:
        sys.exit(f"login {email}: {status} {body[:200]!r}")
    return json.loads(body)["access_token"]


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def editors(base, email, password, n, per):
    token = login(base, email, password)
    times, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(n)

    def work(i):
        start.wait()
        for j in range(per):
            t0 = time.perf_counter()
            status, body = call(
                "POST",
                base + "/articles",
                token,
                {"title": f"Dépêche {i}-{j} {time.time_ns()}", "status": "published",
                 "body": "Le conseil municipal a voté le budget. " * 20},
            )
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                times.append(ms)
                if status != 201:
                    errors.append(status)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    print(f"{len(times)} {percentile(times, 50):.1f} {percentile(times, 99):.1f} {times[-1]:.1f} {len(errors)}")


def ready(binary):
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://" + os.environ["KIOSQUE_ADDR"] + "/readyz"
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        print(f"{(time.perf_counter() - t0) * 1000:.0f}")
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            if proc.poll() is not None:
                sys.exit("the server stopped")
            if time.perf_counter() - t0 > 60:
                sys.exit("not ready after 60 s")
            time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def multiply(path, total):
    import sqlite3
    db = sqlite3.connect(path)
    cols = [r[1] for r in db.execute("PRAGMA table_info(articles)") if r[1] != "id"]
    have = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    copy = 0
    while have < total:
        copy += 1
        take = min(have, total - have)
        ids = [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id LIMIT ?", (take,))]
        lo, hi = ids[0], ids[-1]
        select = ", ".join(f"slug || '-x{copy}'" if c == "slug" else c for c in cols)
        db.execute("CREATE TEMP TABLE IF NOT EXISTS idmap (old INTEGER PRIMARY KEY, new INTEGER)")
        db.execute("DELETE FROM idmap")
        before = db.execute("SELECT max(id) FROM articles").fetchone()[0]
        db.execute(f"INSERT INTO articles ({', '.join(cols)}) SELECT {select} FROM articles WHERE id BETWEEN ? AND ? ORDER BY id", (lo, hi))
        # the copies' ids follow in the same order: map old to new
        new = [r[0] for r in db.execute("SELECT id FROM articles WHERE id > ? ORDER BY id", (before,))]
        db.executemany("INSERT INTO idmap VALUES (?, ?)", zip(ids, new))
        db.execute("INSERT INTO article_authors (article_id, user_id, position) SELECT m.new, x.user_id, x.position FROM article_authors x JOIN idmap m ON m.old = x.article_id")
        db.execute("INSERT INTO article_tags (article_id, tag_id) SELECT m.new, x.tag_id FROM article_tags x JOIN idmap m ON m.old = x.article_id")
        db.commit()
        have = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.execute("ANALYZE")
    db.commit()
    print(have)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "editors":
        editors(args[0], args[1], args[2], int(args[3]), int(args[4]))
    elif cmd == "multiply":
        multiply(args[0], int(args[1]))
    elif cmd == "ready":
        ready(args[0])
    else:
        sys.exit(__doc__)
