#!/usr/bin/env python3
"""Serve latency: from saving an edit to one document to its page serving the new text.

Starts `intercite serve` on a site (by default the 2,000-document benchmark corpus with the
ICC configuration, generated as bench/compare.py does), then `--edits` times: saves a new
marker into one document (an atomic save, as editors do), polls the page every 5 ms until the
marker is served, and records the time. Then the same for front-matter edits (a new title,
which the page's lists, its translations' switchers and its terms show too: serve renders those
pages again and takes the others from its previous build) and for a template edit (a marker
added to the theme's template), which must be no slower than a full build. Prints the medians,
the 95th percentile of content edits, and how many pages each kind of edit rendered again. A
benchmark, not a test.

    python3 bench/serve_latency.py                    # 2,000 documents, 20 edits
    python3 bench/serve_latency.py --docs 10000
    python3 bench/serve_latency.py --site . --page content/news/lancement-inclucities/index.fr.md \\
        --url /fr/actualites/lancement-inclucities/   # the ICC site itself
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATOR = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py"))


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - a page being rebuilt may fail; keep polling
        return ""


def corpus_site(docs, work):
    corpus = os.path.join(work, f"corpus-{docs}")
    subprocess.run([sys.executable, GENERATOR, "--docs", str(docs), "--out", corpus, "--flavour", "site"],
                   check=True, capture_output=True)
    site = os.path.join(corpus, "site") if os.path.isdir(os.path.join(corpus, "site")) else corpus
    for name in ("site.yaml", "i18n", "themes"):
        source, target = os.path.join(REPO, name), os.path.join(site, name)
        shutil.copytree(source, target) if os.path.isdir(source) else shutil.copy(source, target)
    return site


def save(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)


def timed_edit(path, text, url, marker):
    started = time.perf_counter()
    save(path, text)
    deadline = started + 600
    while time.perf_counter() < deadline:
        if marker in fetch(url):
            return time.perf_counter() - started
        time.sleep(0.005)
    sys.exit(f"{url} never served {marker}")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(REPO, "target", "release", "intercite"))
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--site", default=None, help="a site folder instead of the generated corpus")
    parser.add_argument("--page", default=None, help="the content file to edit (default: the first French document)")
    parser.add_argument("--url", default=None, help="its URL path")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--front-edits", type=int, default=5)
    parser.add_argument("--template-edits", type=int, default=3)
    args = parser.parse_args()

    if not os.path.exists(args.binary):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    work = tempfile.mkdtemp(prefix="intercite-latency-")
    if args.site:
        site = os.path.join(work, "site")
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("target", "public", "node_modules", ".git", "fuzz"))
    else:
        site = corpus_site(args.docs, work)
    page = args.page
    url = args.url
    if page is None:
        for root, _, files in sorted(os.walk(os.path.join(site, "content"))):
            if "index.fr.md" in files:
                page = os.path.relpath(os.path.join(root, "index.fr.md"), site)
                break
    page_path = os.path.join(site, page)
    original = open(page_path, encoding="utf-8").read()

    server = subprocess.Popen([args.binary, "serve", "--root", site], stderr=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, env=dict(os.environ, NO_COLOR="1"), text=True)
    started = time.perf_counter()
    base = None
    for line in server.stderr:
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if match and "Serving" in line:
            base = match.group(1)
            break
    if base is None:
        sys.exit("serve did not start")
    # Edits count from the moment serve watches the files.
    for line in server.stderr:
        if "Watching" in line:
            break
    first_build = time.perf_counter() - started
    print(f"serve started in {first_build:.1f} s", file=sys.stderr, flush=True)
    rebuilt = []  # serve's "Rebuilt after …" lines, which say how many pages were rendered again
    threading.Thread(target=lambda: [rebuilt.append(line.strip()) for line in server.stderr
                                     if "Rebuilt after" in line], daemon=True).start()

    def rendered_again(since):
        time.sleep(0.3)  # the log line follows the swap
        counts = [re.search(r"(\d+) pages? of (\d+) rendered again", line) for line in rebuilt[since:]]
        return [f"{m.group(1)} of {m.group(2)}" for m in counts if m]
    if url is None:
        # The French section names of the ICC configuration.
        rel = os.path.dirname(os.path.relpath(page_path, os.path.join(site, "content")))
        section, _, rest = rel.partition("/")
        names = {"meetings": "reunions", "news": "actualites", "policy-briefs": "notes-d-orientation"}
        url = f"/fr/{names.get(section, section)}/{rest}/" if rest else f"/fr/{names.get(section, section)}/"
    if not fetch(base + url):
        sys.exit(f"{base + url} is not served; pass --url")

    content = []
    for i in range(args.edits):
        marker = f"latency-marker-{i:04d}"
        content.append(timed_edit(page_path, f"{original}\n\n{marker}\n", base + url, marker))
        print(f"content edit {i + 1}: {content[-1] * 1000:.0f} ms", file=sys.stderr, flush=True)
        time.sleep(0.2)
    log_mark = len(rebuilt)
    front = []
    title = re.search(r"^title: *(.*)$", original, re.M)
    for i in range(args.front_edits if title else 0):
        marker = f"front-marker-{i:04d}"
        edited = original.replace(title.group(0), f"title: {marker} {title.group(1).strip()}", 1)
        front.append(timed_edit(page_path, edited, base + url, marker))
        print(f"front-matter edit {i + 1}: {front[-1] * 1000:.0f} ms", file=sys.stderr, flush=True)
        time.sleep(0.5)
    front_pages = rendered_again(log_mark)
    save(page_path, original)
    time.sleep(8)  # the rebuild of the restored text, and the search refreshes, are over
    # A template edit: a hidden marker before `</main>` in the theme template that has it.
    templates = os.path.join(site, "themes", "icc", "templates")
    template = next((os.path.join(templates, name) for name in ["base.html"] + sorted(os.listdir(templates))
                     if os.path.isfile(os.path.join(templates, name))
                     if "</main>" in open(os.path.join(templates, name), encoding="utf-8").read()), None) \
        if os.path.isdir(templates) else None
    template_times = []
    if template:
        template_text = open(template, encoding="utf-8").read()
        for i in range(args.template_edits):
            marker = f"template-marker-{i:04d}"
            edited = template_text.replace("</main>", f"<span hidden>{marker}</span></main>", 1)
            template_times.append(timed_edit(template, edited, base + url, marker))
            print(f"template edit {i + 1}: {template_times[-1]:.1f} s", file=sys.stderr, flush=True)
    server.terminate()
    server.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)

    print(f"site: {site if args.site else f'{args.docs} generated documents'}; first build and start: {first_build:.2f} s")
    print(f"content edit → served: median {statistics.median(content) * 1000:.0f} ms, "
          f"95th percentile {percentile(content, 95) * 1000:.0f} ms ({len(content)} edits)")
    if front:
        print(f"front-matter edit → served: median {statistics.median(front) * 1000:.0f} ms, "
              f"95th percentile {percentile(front, 95) * 1000:.0f} ms ({len(front)} edits); "
              f"pages rendered again: {', '.join(front_pages) or 'not reported'}")
    if template_times:
        print(f"template edit → served: median {statistics.median(template_times) * 1000:.0f} ms "
              f"({len(template_times)} edits)")


if __name__ == "__main__":
    main()
