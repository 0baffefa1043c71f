#!/usr/bin/env python3
"""Turn executed notebooks into a browsable HTML report.

  make_report.py [--executed-dir build/executed] [--summary build/report/notebooks.json]
                 [--results-dir build/results] [--out-dir build/report]

Writes one HTML page per executed notebook (nbconvert's HTML exporter) and an index.html
linking them with status, wall time and peak RSS (from the runner's --summary JSON) and the
headline figures of build/results/<notebook name>.json when a notebook wrote one.
Prints the path of index.html.
"""
import argparse
import datetime
import html
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

MAX_FIGURES = 12  # headline figures shown per notebook in the index


def flatten(obj, prefix=""):
    """Scalar leaves of a JSON document as (dotted key, value) pairs, in document order."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from flatten(v, "%s.%s" % (prefix, k) if prefix else str(k))
    elif isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj) and len(obj) <= 8:
            yield prefix, ", ".join(fmt(v) for v in obj)
        else:
            for i, v in enumerate(obj[:8]):
                yield from flatten(v, "%s[%d]" % (prefix, i))
    else:
        yield prefix, obj


def fmt(v):
    if isinstance(v, float):
        return "%.4g" % v
    if v is None:
        return "–"
    return str(v)


def load_json(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def export_html(nb_path, out_path):
    import nbformat
    from nbconvert import HTMLExporter
    nb = nbformat.read(str(nb_path), as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nb, resources={"metadata": {"name": nb_path.stem}})
    out_path.write_text(body, encoding="utf-8")


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .4em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: #17702a; font-weight: bold; } .failed { color: #b00020; font-weight: bold; }
.figs { font-size: .9em; color: #444; } .figs b { color: #222; font-weight: 600; }
pre.err { white-space: pre-wrap; font-size: .85em; color: #b00020; margin: .3em 0 0; }
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--executed-dir", type=Path, default=REPO / "build" / "executed")
    ap.add_argument("--summary", type=Path, default=REPO / "build" / "report" / "notebooks.json")
    ap.add_argument("--results-dir", type=Path, default=REPO / "build" / "results")
    ap.add_argument("--out-dir", type=Path, default=REPO / "build" / "report")
    args = ap.parse_args(argv)

    notebooks = sorted(args.executed_dir.glob("*.ipynb"))
    if not notebooks:
        print("make_report: no executed notebooks in %s" % args.executed_dir, file=sys.stderr)
        return 1
    args.out_dir.mkdir(parents=True, exist_ok=True)
    runs = {r["notebook"]: r for r in (load_json(args.summary) or [])}

    rows = []
    for nb in notebooks:
        page = args.out_dir / (nb.stem + ".html")
        try:
            export_html(nb, page)
            link = '<a href="%s">%s</a>' % (html.escape(page.name), html.escape(nb.name))
        except Exception as exc:  # keep going: one broken notebook must not hide the others
            print("make_report: cannot convert %s: %s" % (nb, exc), file=sys.stderr)
            link = html.escape(nb.name) + " (no HTML: %s)" % html.escape(str(exc)[:200])
        run = runs.get(nb.name, {})
        if not run:
            status = "<span>–</span>"
        elif run.get("ok"):
            status = '<span class="ok">ok</span>'
        else:
            status = '<span class="failed">FAILED</span>'
        err = run.get("error")
        if err:
            status += '<pre class="err">%s</pre>' % html.escape("\n".join(err.splitlines()[:12]))
        results = load_json(args.results_dir / (nb.stem + ".json"))
        figs = ""
        if results is not None:
            items = list(flatten(results))
            figs = "<br>".join("<b>%s</b> %s" % (html.escape(k), html.escape(fmt(v)))
                               for k, v in items[:MAX_FIGURES])
            if len(items) > MAX_FIGURES:
                figs += "<br>… %d more in build/results/%s.json" % (len(items) - MAX_FIGURES,
                                                                    html.escape(nb.stem))
        rows.append("<tr><td>%s</td><td>%s</td><td class=num>%s</td><td class=num>%s</td>"
                    "<td class=figs>%s</td></tr>" % (
                        link, status,
                        "%.1f s" % run["wall_seconds"] if "wall_seconds" in run else "–",
                        "%.0f MB" % run["peak_rss_mb"] if "peak_rss_mb" in run else "–",
                        figs))

    n_ok = sum(1 for r in runs.values() if r.get("ok"))
    index = args.out_dir / "index.html"
    index.write_text("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>squeeze4j notebooks</title>
<style>%s</style></head><body>
<h1>squeeze4j notebooks</h1>
<p>%d notebooks, %d ok. Generated %s. Peak RSS is the kernel's process tree
(launcher JVM + kernel JVM).</p>
<table><thead><tr><th>notebook</th><th>status</th><th>wall</th><th>peak RSS</th>
<th>headline figures</th></tr></thead>
<tbody>
%s
</tbody></table></body></html>
""" % (CSS, len(notebooks), n_ok,
       datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "\n".join(rows)),
        encoding="utf-8")
    print(index.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
