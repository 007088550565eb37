#!/usr/bin/env python3
"""Load test: N concurrent self-evaluation submissions over HTTP against a
running `perfloop dev` (the issue's "200 concurrent submissions").

    go build -o /tmp/perfloop ./cmd/perfloop
    python3 deploy/loadtest.py --binary /tmp/perfloop --members 200

It starts `perfloop dev` on a fresh data directory, imports a team of N
employees, issues their tokens, launches a cs-ops-monthly cycle with the
evaluate stage held open, waits until every member has a task, then submits
all N at once and prints latency percentiles and throughput."""
import argparse, json, os, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error

p = argparse.ArgumentParser()
p.add_argument("--binary", default="/tmp/perfloop")
p.add_argument("--members", type=int, default=200)
p.add_argument("--port", type=int, default=18190)
a = p.parse_args()
base = f"http://127.0.0.1:{a.port}/api/v1"
data = tempfile.mkdtemp(prefix="perfloop-load-")
proc = subprocess.Popen([a.binary, "dev", "--data", data, "--http", f"127.0.0.1:{a.port}", "--temporal-port", str(a.port + 1), "--temporal-ui-port", "0"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def call(method, path, token, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")

try:
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{a.port}/readyz", timeout=1)
            break
        except Exception:
            time.sleep(0.5)
    users = json.load(open(os.path.join(data, "demo-users.json")))
    admin = next(u["token"] for u in users if u["role"] == "admin")
    lead = next(u for u in users if u["role"] == "manager")
    members = [{"name": f"坐席{i:03d}", "email": f"agent{i:03d}@load.perfloop.dev", "role": "employee", "team": "load", "level": "junior"} for i in range(a.members)]
    st, rep = call("POST", "/org/import", admin, {"teams": [{"key": "load", "name": "压测组", "manager": lead["email"]}], "members": members})
    assert st == 200, rep
    ids = {}
    off = 0
    while True:
        st, page = call("GET", f"/members?limit=500&offset={off}", admin)
        for m in page["items"]:
            ids[m["email"]] = m["id"]
        off += 500
        if off >= page["total"]:
            break
    tokens = {}
    for m in members:
        st, t = call("POST", f"/members/{ids[m['email']]}/tokens", admin, {"name": "load"})
        assert st == 201, t
        tokens[m["email"]] = t["token"]
    st, teams = call("GET", "/teams?limit=500", admin)
    team = next(t for t in teams["items"] if t["key"] == "load")
    st, cycle = call("POST", "/cycles", lead["token"], {"templateKey": "cs-ops-monthly", "teamId": team["id"], "period": "2026-10", "compress": 144})
    assert st == 201, cycle
    t0 = time.time()
    task = {}
    while len(task) < len(members) and time.time() - t0 < 600:
        for m in members:
            if m["email"] in task:
                continue
            st, inbox = call("GET", "/inbox?state=open", tokens[m["email"]])
            for it in inbox.get("items", []):
                if it["kind"] == "self_eval":
                    task[m["email"]] = it["id"]
        time.sleep(0.2)
    print(f"{len(task)} of {len(members)} self-evaluation tasks open after {time.time() - t0:.1f} s", file=sys.stderr)
    lat, codes = [], []
    go = threading.Event()
    def submit(email):
        go.wait()
        s = time.time()
        st, _ = call("POST", f"/tasks/{task[email]}/submit", tokens[email], {"scores": {"collaboration": 4, "serviceAttitude": 4}, "comment": "压测"})
        lat.append(time.time() - s)
        codes.append(st)
    threads = [threading.Thread(target=submit, args=(e,)) for e in task]
    for t in threads:
        t.start()
    start = time.time()
    go.set()
    for t in threads:
        t.join()
    wall = time.time() - start
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
    ok = sum(1 for c in codes if c == 200)
    print(json.dumps({"submissions": len(lat), "ok": ok, "wall_s": round(wall, 2), "throughput_per_s": round(len(lat) / wall, 1),
                      "p50_ms": round(pct(0.50)), "p95_ms": round(pct(0.95)), "p99_ms": round(pct(0.99)), "max_ms": round(lat[-1] * 1000)}))
finally:
    proc.terminate()
    proc.wait(timeout=30)
