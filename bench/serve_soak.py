#!/usr/bin/env python3
"""Serve soak test: many edits in a row through the file watcher while requests hit the server.

Starts `intercite serve` on a copy of a site, then rewrites one document N times (default
1,000) with a new marker each time, a few milliseconds apart, while a reader thread requests
pages without pause. At the end it waits for the last marker to be served and checks that:

  - the server is still running and answered every request (no crash, no 5xx);
  - the page serves the last edit (no stale page);
  - memory is flat: resident memory after the edits is within 25% (+16 MiB) of the
    resident memory after the first 100 edits.

With the default 100 ms between saves most edits reach the watcher separately, so the server
rebuilds hundreds of times, often while the previous rebuild is still running.

It prints the figures and exits non-zero if a check fails. It is a benchmark-style script,
not part of `scripts/test`: it takes one to several minutes.

    python3 bench/serve_soak.py                  # the ICC site, 1,000 edits
    python3 bench/serve_soak.py --edits 200 --site tests/fixtures/basic \
        --page content/news/launch.fr.md --url /fr/news/launch/
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fetch(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(REPO, "target/release/intercite"))
    parser.add_argument("--site", default=REPO, help="site folder to copy (default: the ICC site)")
    parser.add_argument("--page", default="content/news/lancement-inclucities/index.fr.md",
                        help="content file to edit, relative to the site")
    parser.add_argument("--url", default=None,
                        help="URL path of that page (default: derived from --page, with the ICC "
                             "site's translated section names)")
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--pause-ms", type=float, default=100.0,
                        help="pause between two edits (100 ms: longer than the watcher's 60 ms "
                             "debounce, so most edits start a rebuild, often while one runs)")
    args = parser.parse_args()

    if not os.path.exists(args.binary):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)

    work = tempfile.mkdtemp(prefix="intercite-soak-")
    site = os.path.join(work, "site")
    ignore = shutil.ignore_patterns("target", "public", "node_modules", ".git", "fuzz", "bench", "tests")
    shutil.copytree(args.site, site, ignore=ignore)
    page = os.path.join(site, args.page)
    original = open(page, encoding="utf-8").read()

    env = dict(os.environ, NO_COLOR="1")
    server = subprocess.Popen([args.binary, "serve", "--root", site],
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True)
    base = None
    log = []
    while base is None:
        line = server.stderr.readline()
        if not line:
            sys.exit("serve exited before it started:\n" + "".join(log))
        log.append(line)
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if match and "Serving" in line:
            base = match.group(1)
    threading.Thread(target=lambda: [log.append(l) for l in server.stderr], daemon=True).start()

    url = args.url
    if url is None:
        url = guess_url(args.page)
    page_url = base + url
    status, _ = fetch(page_url)
    if status != 200:
        sys.exit(f"{page_url} answered {status} before any edit")

    stop = threading.Event()
    counts = {"requests": 0, "errors": 0}

    def reader():
        pages = [page_url, base + "/", base + url.rsplit("/", 2)[0] + "/"]
        i = 0
        while not stop.is_set():
            status, _ = fetch(pages[i % len(pages)])
            counts["requests"] += 1
            if status >= 500 or status == 0:
                counts["errors"] += 1
            i += 1

    readers = [threading.Thread(target=reader, daemon=True) for _ in range(2)]
    for r in readers:
        r.start()

    started = time.time()
    rss_samples = []
    head, sep, body = original.partition("\n---\n")
    for edit in range(1, args.edits + 1):
        marker = f"soak-marker-{edit:05d}"
        tmp = page + ".tmp"
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(f"{head}{sep}{body}\n\n{marker}\n")
        os.replace(tmp, page)  # atomic save, as editors do
        if edit % 100 == 0:
            rss_samples.append((edit, rss_kib(server.pid)))
        if server.poll() is not None:
            break
        time.sleep(args.pause_ms / 1000)
    edits_done = edit
    edit_seconds = time.time() - started

    last_marker = f"soak-marker-{edits_done:05d}"
    deadline = time.time() + 60
    final_ok = False
    while time.time() < deadline and server.poll() is None:
        status, html = fetch(page_url)
        if status == 200 and last_marker in html:
            final_ok = True
            break
        time.sleep(0.1)
    settle = time.time() - started - edit_seconds
    stop.set()
    for r in readers:
        r.join(timeout=15)
    alive = server.poll() is None
    final_rss = rss_kib(server.pid) if alive else 0
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    shutil.rmtree(work, ignore_errors=True)

    print(f"edits: {edits_done} in {edit_seconds:.1f} s; last edit served {settle:.2f} s after the last save")
    rebuilds = sum(1 for line in log if "Rebuilt after" in line)
    print(f"rebuilds: {rebuilds}; requests during the edits: {counts['requests']}, failed: {counts['errors']}")
    print("resident memory (MiB) after edit: " + ", ".join(f"{e}: {kib / 1024:.1f}" for e, kib in rss_samples)
          + f"; at the end: {final_rss / 1024:.1f}")
    failures = []
    if not alive:
        failures.append("the server exited:\n" + "".join(log[-20:]))
    if edits_done < args.edits:
        failures.append(f"only {edits_done} edits were made")
    if not final_ok:
        failures.append(f"{page_url} never served {last_marker} (stale page)")
    if counts["errors"]:
        failures.append(f"{counts['errors']} requests failed")
    if len(rss_samples) >= 2:
        baseline = rss_samples[0][1]
        peak = max(kib for _, kib in rss_samples[1:] + [(0, final_rss)])
        if peak > baseline * 1.25 + 16 * 1024:
            failures.append(f"memory grew from {baseline / 1024:.1f} MiB to {peak / 1024:.1f} MiB")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("OK: no crash, no failed request, no stale page, memory flat")


def guess_url(content_file):
    """`content/news/x/index.fr.md` → `/fr/news/x/` (default slugs; pass --url otherwise)."""
    path = content_file[len("content/"):] if content_file.startswith("content/") else content_file
    folder, name = os.path.split(path)
    stem, lang = name.rsplit(".", 2)[0], name.rsplit(".", 2)[1]
    folder = {"news": "actualites", "meetings": "reunions"}.get(folder.split("/")[0], folder.split("/")[0]) + \
        ("/" + folder.split("/", 1)[1] if "/" in folder else "") if lang == "fr" else folder
    if stem == "index":
        return f"/{lang}/{folder}/"
    return f"/{lang}/{folder}/{stem}/" if folder else f"/{lang}/{stem}/"


if __name__ == "__main__":
    main()
