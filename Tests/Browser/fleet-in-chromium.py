#!/usr/bin/env python3
"""Drives a real headless Chromium through the report server's pages (issue 16, "a real browser").

W3C WebDriver over HTTP to Debian's chromedriver (what Selenium does, without the dependency):
sign in with a read token, see the fleet, filter by a failing check, open a host, diff two of its
reports, and take screenshots of the fleet at 1280 and 390 px wide, checking at each width that
every row's host link is on screen. Prints one JSON object; exits 1 with the failed step on stderr.

With --collect-html FILE it checks the HTML of `sriov-wizard collect` instead (file://, no
server): at 1280 and 390 px every row's host link, report file and time are on screen, the wide
columns are hidden only when narrow, and neither the page nor the table scrolls sideways.

    fleet-in-chromium.py --collect-html fleet.html --rows 4 --out DIR

    fleet-in-chromium.py --url http://127.0.0.1:PORT --token READ_TOKEN --out DIR \
        --hosts sriov-lab,pve-01 --failing-check cpu-virtualization --failing-hosts sriov-lab \
        --open-host sriov-lab
"""
import argparse, base64, json, os, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.error, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

class Failed(Exception):
    pass

def wait_until(condition, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition(): return True
        time.sleep(0.1)
    return condition()

def expect(condition, what):
    if not condition:
        raise Failed(what)

class Driver:
    def __init__(self, chromedriver, chromium, profile):
        self.port = free_port()
        self.log = open(os.path.join(profile, "chromedriver.log"), "w")
        self.proc = subprocess.Popen([chromedriver, "--port=%d" % self.port], stdout=self.log, stderr=subprocess.STDOUT)
        self.base = "http://127.0.0.1:%d" % self.port
        deadline = time.time() + 30
        while True:
            try:
                if self.call("GET", "/status")["value"].get("ready"): break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            expect(time.time() < deadline and self.proc.poll() is None, "chromedriver did not start (see %s)" % self.log.name)
            time.sleep(0.2)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                     "--force-device-scale-factor=1", "--no-first-run", "--user-data-dir=" + os.path.join(profile, "chromium"),
                     "--window-size=1280,900"]}}}}
        self.session = self.call("POST", "/session", caps)["value"]["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise Failed("WebDriver %s %s: %s" % (method, path, e.read().decode(errors="replace")[:500]))

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.session, path), body)["value"]

    def go(self, url): self.s("POST", "/url", {"url": url})
    def url(self): return self.s("GET", "/url")
    def find(self, css):
        found = self.s("POST", "/elements", {"using": "css selector", "value": css})
        return [list(e.values())[0] for e in found]
    def one(self, css):
        found = self.find(css); expect(found, "no element matches %r on %s" % (css, self.url())); return found[0]
    def click(self, el): self.s("POST", "/element/%s/click" % el, {})
    def type(self, el, text): self.s("POST", "/element/%s/value" % el, {"text": text})
    def clear(self, el): self.s("POST", "/element/%s/clear" % el, {})
    def text(self, el): return self.s("GET", "/element/%s/text" % el)
    def js(self, script, *args): return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})
    def size(self, width, height): self.s("POST", "/window/rect", {"width": width, "height": height})
    def screenshot(self, path):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f: f.write(png)
        return png

    def quit(self):
        try: self.call("DELETE", "/session/" + self.session)
        except Exception: pass
        self.proc.terminate()
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.kill()

ROWS = """return Array.from(document.querySelectorAll('table#fleet tbody tr')).map(function (tr) {
  var a = tr.querySelector('td a'); var r = a.getBoundingClientRect();
  var hidden = Array.from(tr.querySelectorAll('td.wide-only')).filter(function (td) { return getComputedStyle(td).display === 'none'; }).length;
  return {host: a.textContent, left: r.left, right: r.right, top: r.top, height: r.height, hiddenCells: hidden};
});"""

def fleet_rows(d):
    return d.js(ROWS)

def png_size(png):
    expect(png[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG")
    return struct.unpack(">II", png[16:24])

COLLECT_ROWS = """return Array.from(document.querySelectorAll('table.fleet-table tbody tr')).map(function (tr) {
  var a = tr.querySelector('td a'), f = tr.querySelector('.row-file'), r = a.getBoundingClientRect(), fr = f.getBoundingClientRect();
  var hidden = Array.from(tr.querySelectorAll('td.wide')).filter(function (td) { return getComputedStyle(td).display === 'none'; }).length;
  return {host: a.textContent, file: f.textContent, left: Math.min(r.left, fr.left), right: Math.max(r.right, fr.right),
          height: Math.min(r.height, fr.height), hiddenCells: hidden};
});"""

def collect_html(d, a, result):
    d.go("file://" + os.path.abspath(a.collect_html))
    for width in (1280, 390):
        d.size(width, 900)
        inner = d.js("return window.innerWidth")
        rows = d.js(COLLECT_ROWS)
        expect(len(rows) == a.rows, "at %d px the collect table shows %d rows, not %d" % (width, len(rows), a.rows))
        for r in rows:
            expect(r["height"] > 0 and r["left"] >= 0 and r["right"] <= inner,
                   "at %d px the host link or file of %s is off screen (%s)" % (width, r["host"], r))
            expect(r["file"].strip() != "", "a row shows no report file")
            expect((r["hiddenCells"] > 0) == (width < 640), "at %d px %s has %d hidden wide cells" % (width, r["host"], r["hiddenCells"]))
        page = d.js("return document.documentElement.scrollWidth - window.innerWidth")
        expect(page <= 0, "at %d px the page scrolls sideways by %d px" % (width, page))
        if width < 640:
            table = d.js("var s = document.querySelector('#fleet .scroll'); return s.scrollWidth - s.clientWidth")
            expect(table <= 0, "at %d px the table scrolls sideways by %d px" % (width, table))
        png = d.screenshot(os.path.join(a.out, "collect-%d.png" % width))
        w, h = png_size(png)
        expect(w == inner, "the %d px screenshot is %d px wide (viewport %d)" % (width, w, inner))
        result["steps"].append({"width": width, "viewport": inner, "rows": len(rows), "files": [r["file"] for r in rows],
                                "screenshot": "collect-%d.png" % width, "png": [w, h]})

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--collect-html", help="check this `collect --html` file instead of the server")
    ap.add_argument("--rows", type=int, default=0, help="with --collect-html: the rows it must show")
    ap.add_argument("--url"); ap.add_argument("--token")
    ap.add_argument("--hosts", help="host names the fleet must list, comma-separated")
    ap.add_argument("--failing-check")
    ap.add_argument("--failing-hosts", help="the hosts that fail it, comma-separated")
    ap.add_argument("--open-host", help="a failing host with two reports or more: opened, then diffed")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    a = ap.parse_args()
    if not a.collect_html and not all([a.url, a.token, a.hosts, a.failing_check, a.failing_hosts, a.open_host]):
        ap.error("give --collect-html FILE, or --url, --token, --hosts, --failing-check, --failing-hosts and --open-host")
    os.makedirs(a.out, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="sriov-chromium-")
    d = None
    result = {"steps": []}
    try:
        d = Driver(a.chromedriver, a.chromium, profile)
        result["browser"] = d.s("GET", "/window/handles") and d.js("return navigator.userAgent")
        if a.collect_html:
            collect_html(d, a, result)
            print(json.dumps(result))
            return 0
        # Not signed in: the fleet sends the browser to the sign-in page.
        d.go(a.url + "/")
        expect(d.url().endswith("/login"), "an anonymous visit to / did not end on /login but on " + d.url())
        d.type(d.one("input[name=token]"), a.token)
        d.click(d.one("form[action='/login'] button[type=submit]"))
        expect(d.url().rstrip("/") == a.url.rstrip("/"), "signing in did not lead to the fleet: " + d.url())
        rows = fleet_rows(d)
        hosts = sorted(r["host"] for r in rows)
        for h in a.hosts.split(","):
            expect(h in hosts, "the fleet does not list %s (rows: %s)" % (h, hosts))
        result["steps"].append({"signed-in fleet": hosts})

        # Filter by a failing check with the page's own form.
        field = d.one("form.filters input[name=check]")
        d.clear(field); d.type(field, a.failing_check)
        # Seen on a loaded machine: the click landed while key events were still being handled
        # (the URL had "check=cpu-"). Make sure the field holds the whole text before submitting,
        # and wait for the navigation to finish before judging.
        ref = {"element-6066-11e4-a23f-4fc8b4a1d7c2": field}
        if d.js("return arguments[0].value", ref) != a.failing_check:
            d.js("arguments[0].value = arguments[1]", ref, a.failing_check)
        d.click(d.one("form.filters button[type=submit]"))
        wait_until(lambda: "check=" + a.failing_check in d.url(), 10)
        expect("check=" + a.failing_check in d.url(), "the filter form did not put the check in the URL: " + d.url())
        filtered = sorted(r["host"] for r in fleet_rows(d))
        want = sorted(a.failing_hosts.split(","))
        expect(filtered == want, "filtering by %s lists %s, not %s" % (a.failing_check, filtered, want))
        result["steps"].append({"filtered by " + a.failing_check: filtered})

        # Open that host, then the diff with its previous report.
        links = [e for e in d.find("table#fleet tbody tr td:first-child a") if d.text(e) == a.open_host]
        expect(links, "no link to %s in the filtered fleet" % a.open_host)
        d.click(links[0])
        expect("/hosts/" in d.url(), "the host link did not open a host page: " + d.url())
        history = d.find("table#history tbody tr")
        expect(len(history) >= 2, "the host page lists %d reports, at least 2 expected" % len(history))
        d.click(d.one("table#history a[href^='/diff/']"))
        expect("/diff/" in d.url(), "the diff link did not open a diff: " + d.url())
        changed = d.find("table#checks tbody tr")
        expect(changed, "the diff of two different reports shows no changed check")
        result["steps"].append({"host reports": len(history), "diff rows": len(changed)})

        # The fleet at 1280 and 390 px: every row's host link on screen, narrow screens drop the wide columns.
        d.go(a.url + "/")
        for width in (1280, 390):
            d.size(width, 900)
            inner = d.js("return window.innerWidth")
            rows = fleet_rows(d)
            expect(len(rows) == len(hosts), "at %d px the fleet shows %d rows, not %d" % (width, len(rows), len(hosts)))
            for r in rows:
                expect(r["height"] > 0 and r["left"] >= 0 and r["right"] <= inner, "at %d px the link of %s is off screen (%s)" % (width, r["host"], r))
            narrow = width < 640
            for r in rows:
                expect((r["hiddenCells"] > 0) == narrow, "at %d px %s has %d hidden wide-only cells" % (width, r["host"], r["hiddenCells"]))
            overflow = d.js("return document.documentElement.scrollWidth - window.innerWidth")
            expect(overflow <= 0, "at %d px the page scrolls sideways by %d px" % (width, overflow))
            png = d.screenshot(os.path.join(a.out, "fleet-%d.png" % width))
            w, h = png_size(png)
            expect(w == inner, "the %d px screenshot is %d px wide (viewport %d)" % (width, w, inner))
            result["steps"].append({"width": width, "viewport": inner, "rows": len(rows), "screenshot": "fleet-%d.png" % width, "png": [w, h]})
    except Failed as e:
        if d is not None:
            try: d.screenshot(os.path.join(a.out, "failure.png"))
            except Exception: pass
        print("browser test failed: %s" % e, file=sys.stderr)
        print(json.dumps(result))
        return 1
    finally:
        if d is not None: d.quit()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(result))
    return 0

if __name__ == "__main__":
    sys.exit(main())
