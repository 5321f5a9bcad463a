#!/usr/bin/env python3
"""Host-side assertions of the end-to-end lab suite.

Usage: assert.py EXPECTATIONS.json SCENARIO RESULT_DIR BINARY
Checks, for every phase the guest ran: the expected check levels (check.json), that the
exit status of `check` matches the verdict (1 when a check failed), devices.json lists the
igb PF, the snapshot round trip (check --root SNAPSHOT outside the VM gives the same JSON as
inside, except host.root), and the report's XML against the schema when one was written.
Prints one line per assertion; exit status 1 when any failed.
"""
import json, os, subprocess, sys

expectations, scenario, result_dir, binary = sys.argv[1:5]
spec = json.load(open(expectations))["scenarios"][scenario]
failures = 0
checks_run = 0

def ok(cond, what):
    global failures, checks_run
    checks_run += 1
    print(("  ok    " if cond else "  FAIL  ") + what)
    if not cond:
        failures += 1

def levels(doc):
    out = {}
    for stage in doc["stages"]:
        for c in stage["checks"]:
            out.setdefault(c["id"], []).append((c.get("device"), c["level"]))
    return out

def strip_root(doc):
    doc = json.loads(json.dumps(doc))
    doc["host"].pop("root", None)
    return doc

for phase in ("boot", "vfs"):
    expected = spec.get(phase)
    pdir = os.path.join(result_dir, phase)
    if expected is None:
        continue
    if not os.path.isdir(pdir):
        ok(False, f"{phase}: the guest produced no results in {pdir}")
        continue
    try:
        doc = json.load(open(os.path.join(pdir, "check.json")))
    except Exception as e:
        ok(False, f"{phase}: check.json unreadable: {e}")
        continue
    found = levels(doc)
    for key, level in expected.items():
        cid, _, dev = key.partition("@")
        dev = dev or None
        results = found.get(cid, [])
        if dev:
            got = [l for d, l in results if d == dev]
        else:
            igb = [l for d, l in results if d in (None, "0000:01:00.0")]
            got = igb or [l for _, l in results]
        ok(level in got, f"{phase}: {key} is {level} (got {got or 'no result'})")
    rc = int(open(os.path.join(pdir, "check.rc")).read().strip() or "255")
    any_fail = any(l == "fail" for r in found.values() for _, l in r)
    ok(rc == (1 if any_fail else 0), f"{phase}: check exit status {rc} matches the verdict")
    devices = json.load(open(os.path.join(pdir, "devices.json")))
    ok(any(d["address"] == "0000:01:00.0" and d["role"] == "pf" for d in devices["devices"]),
       f"{phase}: devices lists the igb PF 0000:01:00.0")
    snap = os.path.join(pdir, "snapshot")
    outside = subprocess.run([binary, "check", "--format", "json", "--root", snap], capture_output=True, text=True)
    try:
        same = strip_root(json.loads(outside.stdout)) == strip_root(doc)
    except Exception:
        same = False
    ok(same, f"{phase}: check --root SNAPSHOT outside the VM equals check inside")
    dev_out = subprocess.run([binary, "devices", "--all", "--format", "json", "--root", snap], capture_output=True, text=True)
    ok(dev_out.stdout.strip() == open(os.path.join(pdir, "devices.json")).read().strip(),
       f"{phase}: devices --root SNAPSHOT outside the VM equals devices inside")
    xml = os.path.join(pdir, "report.xml")
    xsd = os.environ.get("REPORT_XSD")
    if os.path.exists(xml) and xsd:
        v = subprocess.run(["xmllint", "--noout", "--schema", xsd, xml], capture_output=True, text=True)
        ok(v.returncode == 0, f"{phase}: report.xml is valid against {os.path.basename(xsd)} (xmllint)")

print(f"  {checks_run - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
