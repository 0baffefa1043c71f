#!/usr/bin/env python3
"""Execute squeeze4j notebooks headlessly on the JJava kernel and measure them.

For every notebook: runs all cells with nbclient (working directory = the notebook's folder,
kernel "java"), measures the wall time and the peak RSS of the kernel's process tree (the
launcher JVM plus the kernel JVM it starts; sampled every 0.2 s), and fails when a cell
raises, when an output is of type "error", or when a stderr stream shows an exception.

Cells tagged "raises-exception" (nbclient's own tag) may fail; cells tagged "allow-stderr"
may print exceptions on stderr.

  run_notebooks.py notebooks/*.ipynb
  run_notebooks.py --summary build/notebook-runs/x.json --executed-dir build/executed nb.ipynb
  run_notebooks.py --check-clean notebooks/*.ipynb   # committed notebooks carry no outputs
  run_notebooks.py --smoke                            # a tiny built-in notebook: Java + ND4J

Exit status: 0 all good, 1 some notebook failed (or is not clean), 2 usage error.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
VENV_JUPYTER = REPO / ".venv" / "share" / "jupyter"


def _prefer_our_kernelspec():
    """Put the environment that holds our 'java' kernelspec first on JUPYTER_PATH, ahead of a
    user-level kernel of the same name (~/.local/share/jupyter/kernels/java)."""
    ours = VENV_JUPYTER if VENV_JUPYTER.is_dir() else Path(sys.prefix) / "share" / "jupyter"
    old = os.environ.get("JUPYTER_PATH", "")
    parts = [str(ours)] + [p for p in old.split(os.pathsep) if p and p != str(ours)]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(parts)
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # silences a jupyter_core warning


_prefer_our_kernelspec()

import nbformat  # noqa: E402  (after JUPYTER_PATH is set)
import psutil  # noqa: E402

# A stderr line that looks like an exception: "Exception in thread ...", "Error: ...",
# "java.lang.IllegalStateException: ...", "java.lang.OutOfMemoryError", "Caused by: ...".
# slf4j-simple lines start with "[thread] LEVEL ..." and do not match; neither do
# "SLF4J: ..." notices nor "WARNING: ..." lines of the JDK.
STDERR_ERROR = re.compile(
    r"^(?:Exception\b|Error:|Caused by: |"
    r"(?:[A-Za-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)(?::|$))",
    re.MULTILINE)

JJAVA_INFO = re.compile(r"^\[I \d{4}-\d\d-\d\d ")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

SMOKE_CELLS = [
    "System.out.println(1 + 1);",
    "var s = org.nd4j.linalg.factory.Nd4j.create(new float[]{1, 2, 3}).sum(0);\n"
    "System.out.println(\"nd4j sum = \" + s);\n"
    "if (s.getDouble(0) != 6.0) throw new IllegalStateException(\"expected 6, got \" + s);",
]


# ---------------------------------------------------------------------------------------------
class RssMonitor:
    """Samples the RSS of the kernel's process tree in a thread; remembers every process seen
    so that leftovers (an orphaned kernel JVM) can be killed afterwards."""

    def __init__(self, pid_source, interval=0.2):
        self.pid_source = pid_source
        self.interval = interval
        self.peak_bytes = 0
        self.peak_kernel_bytes = 0  # the largest single process (the kernel JVM)
        self.samples = 0
        self.seen = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-monitor", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.sample()
            except Exception:  # a process vanished between listing and reading: skip
                pass
            self._stop.wait(self.interval)

    def sample(self):
        pid = self.pid_source()
        if pid:
            try:
                root = self.seen.get(pid) or psutil.Process(pid)
                procs = [root] + root.children(recursive=True)
            except psutil.Error:
                return
        else:  # fallback: everything this runner started
            procs = psutil.Process().children(recursive=True)
        total = 0
        for p in procs:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            self.seen.setdefault(p.pid, p)
            total += rss
            self.peak_kernel_bytes = max(self.peak_kernel_bytes, rss)
        if procs:
            self.samples += 1
            self.peak_bytes = max(self.peak_bytes, total)

    def kill_leftovers(self):
        left = []
        for p in self.seen.values():
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    left.append(p)
            except psutil.Error:
                pass
        for p in left:
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(left, timeout=5)
        return len(left)


def _kernel_pid(client):
    km = getattr(client, "km", None)
    prov = getattr(km, "provisioner", None) if km is not None else None
    if prov is None:
        return None
    pid = getattr(prov, "pid", None)
    if pid is None:
        proc = getattr(prov, "process", None)
        pid = getattr(proc, "pid", None)
    return pid


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []) or [])


def find_problems(nb):
    """Error outputs and exception-looking stderr lines in an executed notebook."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = _tags(cell)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and "raises-exception" not in tags:
                tb = [l for l in ANSI.sub("", "\n".join(out.get("traceback", []))).splitlines()
                      if l.strip()]
                problems.append("cell %d: %s: %s%s" % (
                    i, out.get("ename", "?"), out.get("evalue", ""),
                    "".join("\n    " + l for l in tb[:20])))
            elif (out.get("output_type") == "stream" and out.get("name") == "stderr"
                  and not tags & {"raises-exception", "allow-stderr"}):
                text = out.get("text", "")
                if isinstance(text, list):
                    text = "".join(text)
                m = STDERR_ERROR.search(text)
                if m:
                    line = text[m.start():].splitlines()[0]
                    problems.append("cell %d: stderr: %s" % (i, line[:300]))
    return problems


def check_kernelspec(name):
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        sys.exit("run_notebooks: no Jupyter kernel named '%s' (JUPYTER_PATH=%s): "
                 "run bash src/main/scripts/setup-jupyter.sh first"
                 % (name, os.environ.get("JUPYTER_PATH")))
    cp = (spec.env or {}).get("JJAVA_CLASSPATH", "")
    if "squeeze4j" not in cp:
        print("run_notebooks: WARNING: kernel '%s' at %s has no squeeze4j classpath "
              "(JJAVA_CLASSPATH=%r)" % (name, spec.resource_dir, cp), file=sys.stderr)
    return spec


def _short_error(exc):
    text = str(exc).strip()
    lines = [l for l in text.splitlines() if l.strip()]
    # nbclient's CellExecutionError repeats the cell source; keep the end, where the error is
    return "%s: %s" % (type(exc).__name__, "\n".join(lines[-25:])) if lines else type(exc).__name__


def run_one(path, args):
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(
        nb,
        timeout=args.timeout if args.timeout > 0 else None,
        startup_timeout=args.startup_timeout,
        kernel_name=args.kernel,
        allow_errors=False,
        shutdown_kernel="immediate",  # a graceful JJava shutdown takes ~2.6 s and saves nothing
        resources={"metadata": {"path": str(path.parent)}},
    )
    error = None
    # the launcher's and the kernel JVM's own output (JJava's INFO lines, JVM crash messages,
    # native library noise) goes to a log that is shown only when the notebook fails
    kernel_log = tempfile.TemporaryFile(prefix="s4j-kernel-", suffix=".log")
    t0 = time.monotonic()
    monitor = RssMonitor(lambda: _kernel_pid(client))
    with monitor:
        try:
            client.execute(stdout=kernel_log, stderr=subprocess.STDOUT)
        except Exception as exc:  # CellExecutionError, CellTimeoutError, DeadKernelError, ...
            error = _short_error(exc)
        except KeyboardInterrupt:
            monitor.kill_leftovers()
            raise
    wall = time.monotonic() - t0
    killed = monitor.kill_leftovers()

    # the notebook's own error outputs say more than nbclient's exception (whose traceback is
    # the kernel's internal one); a timeout or a dead kernel leaves only the exception
    problems = find_problems(nb)
    if problems:
        if error and not error.startswith("CellExecutionError"):
            problems.insert(0, error.splitlines()[0])  # e.g. CellTimeoutError: ... 5 seconds
        error = "\n".join(problems)
    peak_mb = monitor.peak_bytes / 2**20
    if error is None and args.max_rss_mb and peak_mb > args.max_rss_mb:
        error = "peak RSS %.0f MB of the kernel process tree exceeds the limit of %d MB" % (
            peak_mb, args.max_rss_mb)
    kernel_output = None
    if error:
        kernel_log.seek(0)
        lines = [l for l in kernel_log.read().decode("utf-8", "replace").splitlines()
                 if l.strip() and not JJAVA_INFO.match(l)]
        kernel_output = "\n".join(lines[-40:]) or None
    kernel_log.close()
    if killed:
        print("run_notebooks: killed %d leftover kernel process(es) of %s" % (killed, path.name),
              file=sys.stderr)

    if args.executed_dir:
        out = Path(args.executed_dir)
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(out / path.name))

    return {
        "notebook": path.name,
        "path": str(path),
        "ok": error is None,
        "wall_seconds": round(wall, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "peak_kernel_jvm_rss_mb": round(monitor.peak_kernel_bytes / 2**20, 1),
        "rss_samples": monitor.samples,
        "error": error,
        "kernel_output": kernel_output,  # the kernel process's own output, when it failed
    }


def check_clean(paths):
    bad = 0
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                 and (c.get("outputs") or c.get("execution_count") is not None)]
        if dirty:
            bad += 1
            print("%s  NOT CLEAN  outputs or execution counts in cells %s "
                  "(clear them: jupyter nbconvert --clear-output --inplace %s)"
                  % (path.name, ", ".join(map(str, dirty[:20])), path))
        else:
            print("%s  clean" % path.name)
    return 1 if bad else 0


def smoke_notebook(tmpdir):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "java", "display_name": "Java (squeeze4j)",
                                 "language": "java"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in SMOKE_CELLS]
    path = Path(tmpdir) / "smoke.ipynb"
    nbformat.write(nb, str(path))
    return path


def write_summary(path, results, update):
    """Writes the runs' summary; with update, entries of other notebooks already there are kept."""
    entries = []
    if update and path.is_file():
        try:
            ran = {r["notebook"] for r in results}
            entries = [e for e in json.loads(path.read_text()) if e.get("notebook") not in ran]
        except (ValueError, TypeError, AttributeError):
            print("run_notebooks: %s is not a summary; writing a new one" % path, file=sys.stderr)
            entries = []
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = sorted(entries + results, key=lambda e: str(e.get("notebook")))
    path.write_text(json.dumps(merged, indent=2) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="notebooks to run (default: <repo>/notebooks/*.ipynb)")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("S4J_CELL_TIMEOUT", 600)),
                    help="per-cell timeout in seconds, <= 0 for none (default 600)")
    ap.add_argument("--startup-timeout", type=int, default=180,
                    help="kernel start timeout in seconds (default 180)")
    ap.add_argument("--kernel", default="java", help="kernel name (default java)")
    ap.add_argument("--summary", type=Path, help="write a JSON summary of the runs here")
    ap.add_argument("--update-summary", action="store_true",
                    help="keep the --summary entries of notebooks not run this time (./s4j report NB)")
    ap.add_argument("--executed-dir", type=Path, help="save the executed notebooks here")
    ap.add_argument("--max-rss-mb", type=int, default=int(os.environ.get("S4J_MAX_RSS_MB", 0)),
                    help="fail a notebook whose kernel tree peaks above this RSS (0 = no limit)")
    ap.add_argument("--check-clean", action="store_true",
                    help="only check that the notebooks carry no outputs or execution counts")
    ap.add_argument("--smoke", action="store_true",
                    help="run a tiny built-in notebook (Java + ND4J) instead")
    args = ap.parse_args(argv)

    tmp = None
    paths = [p.resolve() for p in args.notebooks]
    if args.smoke:
        tmp = tempfile.TemporaryDirectory(prefix="s4j-smoke-")
        paths.append(smoke_notebook(tmp.name))
    if not paths:
        paths = sorted((REPO / "notebooks").glob("*.ipynb"))
    if not paths:
        print("run_notebooks: no notebooks given and none in %s" % (REPO / "notebooks"),
              file=sys.stderr)
        return 2
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print("run_notebooks: no such notebook: %s" % ", ".join(missing), file=sys.stderr)
        return 2

    if args.check_clean:
        return check_clean(paths)

    spec = check_kernelspec(args.kernel)
    print("run_notebooks: kernel '%s' from %s" % (args.kernel, spec.resource_dir), flush=True)

    results = []
    try:
        for path in paths:
            print("run_notebooks: running %s ..." % path.name, flush=True)
            r = run_one(path, args)
            results.append(r)
            print("%s  %s  wall %.1f s  peak RSS %.0f MB"
                  % (r["notebook"], "ok" if r["ok"] else "FAILED", r["wall_seconds"],
                     r["peak_rss_mb"]), flush=True)
            if r["error"]:
                print("    " + r["error"].replace("\n", "\n    "), flush=True)
            if r["kernel_output"]:
                print("    kernel process output (last lines):\n        "
                      + r["kernel_output"].replace("\n", "\n        "), flush=True)
    finally:
        if args.summary:
            write_summary(args.summary, results, args.update_summary)
        if tmp is not None:
            tmp.cleanup()

    failed = [r["notebook"] for r in results if not r["ok"]]
    if len(results) > 1:
        print("run_notebooks: %d notebooks, %d ok, %d failed%s"
              % (len(results), len(results) - len(failed), len(failed),
                 (": " + ", ".join(failed)) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
