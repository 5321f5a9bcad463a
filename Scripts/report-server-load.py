#!/usr/bin/env python3
"""Load test of sriov-report-server (BENCHMARKS.md, "Report server").

Starts the built server on a loopback port with a new database, uploads N distinct reports
(a golden report renamed host-00000 ... so the fleet has N hosts) from C concurrent clients,
then times the fleet page and the hosts API over the full fleet.

  Scripts/report-server-load.py [--binary .build/release/sriov-report-server] [--count 10000]
                                [--clients 16] [--database sqlite:/tmp/x.sqlite | postgres://...]
"""
import argparse, http.client, json, os, re, statistics, subprocess, sys, tempfile, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--binary", default=".build/debug/sriov-report-server")
ap.add_argument("--count", type=int, default=10000)
ap.add_argument("--clients", type=int, default=16)
ap.add_argument("--database")
ap.add_argument("--report", default="Tests/ReportsTests/Golden/lab-igb-maxvfs.xml")
ap.add_argument("--max-seconds", type=int, default=600, help="stop uploading after this long")
a = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="srs-load-")
db = a.database or f"sqlite:{tmp}/reports.sqlite"

def token(name, role):
    out = subprocess.run([a.binary, "token", "create", "--name", name, "--role", role, "--database", db],
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]

up, rd = token("load", "upload"), token("viewer", "read")
srv = subprocess.Popen([a.binary, "serve", "--listen", "127.0.0.1:0", "--database", db],
                       stdout=subprocess.PIPE, text=True, env={**os.environ, "SRIOV_REPORT_SERVER_LOG": "warning"})
line = srv.stdout.readline()
port = int(re.search(r":(\d+) ", line).group(1))
base = open(a.report).read()
bodies = [re.sub(r"<hostname>[^<]*</hostname>", f"<hostname>host-{i:05d}</hostname>", base, count=1).encode()
          for i in range(a.count)]
lat, errors, lock, nxt = [], [], threading.Lock(), [0]
deadline = time.monotonic() + a.max_seconds

def client():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while True:
        with lock:
            i = nxt[0]; nxt[0] += 1
        if i >= a.count or time.monotonic() > deadline:
            return
        t = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/reports", body=bodies[i],
                         headers={"Authorization": "Bearer " + up, "Content-Type": "application/xml"})
            r = conn.getresponse(); r.read()
            ok = r.status == 201
        except Exception as e:  # reconnect and count it
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60); ok = False
        d = time.perf_counter() - t
        with lock:
            (lat if ok else errors).append(d)

start = time.perf_counter()
threads = [threading.Thread(target=client) for _ in range(a.clients)]
for t in threads: t.start()
for t in threads: t.join()
wall = time.perf_counter() - start
lat.sort()
def pct(p): return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
result = {"database": db.split(":")[0], "uploads": len(lat), "errors": len(errors), "clients": a.clients,
          "seconds": round(wall, 2), "uploads_per_s": round(len(lat) / wall, 1),
          "p50_ms": round(pct(0.50), 2), "p99_ms": round(pct(0.99), 2), "bytes_each": len(bodies[0])}

def timed(path, n=11):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": "Bearer " + rd}); r = conn.getresponse(); body = r.read()
        times.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, (path, r.status)
    return round(statistics.median(times), 2), body

result["fleet_page_ms"], page = timed("/")
result["fleet_page_filtered_ms"], _ = timed("/?check=cpu-virtualization&sort=-level")
result["fleet_page_search_ms"], _ = timed("/?q=host-0999&page=1")
result["hosts_api_ms"], api = timed("/api/v1/hosts?limit=50")
result["fleet_total"] = json.loads(api)["total"]
result["compatibility_ms"], _ = timed("/compatibility", 5)
srv.terminate(); srv.wait(timeout=30)
print(json.dumps(result, indent=1))
