#!/usr/bin/env python3
"""Runs notebooks through Jupyter with the real .NET Interactive C# kernel (.net-csharp), the kernel that
JupyterLab, Notebook, VS Code's Jupyter extension and Polyglot Notebooks start, and checks what a student sees.

usage: run_notebooks.py OUTDIR [NOTEBOOK ...]     (default: notebooks/*.ipynb; run from the repository root)

For each notebook it writes OUTDIR/NAME.ipynb (executed) and OUTDIR/NAME.html (nbconvert), prints one line, and
fails (exit 1) when a cell shows an error, when no code cell shows anything, when a chart or image the notebook
makes is missing from its display outputs, or when a chart would need the network (plotly.js must be inlined
exactly once, no CDN). The profile comes from GANKIT_PROFILE (set it to smoke for seconds-long runs).

The network test (kernel_network.py) runs after every code cell while the kernel is up: the kernel must listen on
its five Jupyter ports (127.0.0.1) and nothing else, and no process of the run on any address beyond loopback. It
prints its own closing line, "network: ok …" or "network: FAILS …", and fails the run (exit 1) on its own.
"""
import glob
import os
import re
import sys
import time
import uuid

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_network  # noqa: E402

KERNEL = ".net-csharp"
# A script or stylesheet fetched from the network (plotly.js's own text mentions URLs it never loads for these charts).
NETWORK_LOAD = re.compile(r"""(?:<(?:script|img|iframe)\b[^>]*\bsrc\s*=\s*|<link\b[^>]*\bhref\s*=\s*|setAttribute\(\s*['"]src['"]\s*,\s*)['"](https?://[^'"]+)""")
# The kernel's own first output in Jupyter: a bootstrap for its JavaScript API (not for charts) that tries to load
# require.js from a CDN and does nothing else when offline.
KERNEL_BOOTSTRAP = "dotnet-interactive-this-cell"


# The row Kit.Setup()'s environment report shows for the kernel self-test (lib/GanNotebooks/Runtime/KernelSettings.cs).
KERNELS_ROW = re.compile(r"<th[^>]*>kernels checked</th><td[^>]*>([^<]*)</td>")


def kernel_verdict_problems(nb):
    """A notebook that shows the kit's environment report must show a kernel verdict that passed its checks."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            html = out.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if "gankit-env" not in html:
                continue
            m = KERNELS_ROW.search(html)
            if not m:
                return ["the environment report has no 'kernels checked' row (the kernel self-test did not run in the kernel)"]
            verdict = m.group(1)
            if verdict.startswith("WRONG") or verdict.startswith("not checked"):
                return [f"kernels checked: {verdict[:200]}"]
            return []
    return []


def check(nb, name):
    problems, charts, images, outputs, plotlyjs = [], 0, 0, 0, 0
    code = [c for c in nb.cells if c.cell_type == "code"]
    for number, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            outputs += 1
            if out.output_type == "error":
                problems.append(f"cell {number}: {out.get('ename')}: {(out.get('evalue') or '').splitlines()[0][:200] if out.get('evalue') else ''}")
                continue
            if out.output_type == "stream":
                text = "".join(out.get("text", ""))
                warning = re.search(r"warning CS\d+:[^\n]*", text)
                if warning:  # the kernel shows compiler warnings under the cell: a student would see them
                    problems.append(f"cell {number}: {warning.group(0)[:200]}")
                elif out.get("name") == "stderr" and "error" in text.lower():
                    problems.append(f"cell {number}: stderr: {text.strip().splitlines()[0][:200]}")
            data = out.get("data", {})
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if "gankit-plotly" in html:
                charts += 1
            if "image/png" in data or "<img" in html:
                images += 1
            plotlyjs += html.count("data-gankit-plotlyjs=")
            if KERNEL_BOOTSTRAP not in html:
                for m in NETWORK_LOAD.finditer(html):
                    problems.append(f"cell {number}: an output loads {m.group(1)} from the network")
    source = "\n".join(c.source for c in code)
    problems += kernel_verdict_problems(nb)
    makes_charts = bool(re.search(r"\bCharts\.\w+\(|Chart\.\w+", source))
    makes_images = bool(re.search(r"ImageGrid\.", source))
    if outputs == 0:
        problems.append("no code cell produced any output")
    if makes_charts and charts == 0:
        problems.append("the notebook makes charts but none is shown")
    if makes_images and images == 0:
        problems.append("the notebook makes images but none is shown")
    if charts > 0 and plotlyjs != 1:
        problems.append(f"plotly.js is inlined {plotlyjs} times (expected once per kernel session)")
    return problems, f"{len(code)} code cells, {outputs} outputs, {charts} charts, {images} images"


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    out_dir = os.path.abspath(sys.argv[1])
    os.makedirs(out_dir, exist_ok=True)
    paths = sys.argv[2:] or sorted(glob.glob("notebooks/*.ipynb"))
    # Every process this run starts (kernels, and whatever they start) inherits this mark: the network test finds them.
    token = uuid.uuid4().hex
    os.environ[kernel_network.MARKER] = token
    failed, net_checked, net_bad = 0, 0, 0
    for path in paths:
        name = os.path.splitext(os.path.basename(path))[0]
        nb = nbformat.read(path, as_version=4)
        start = time.time()
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=int(os.environ.get("NB_CELL_TIMEOUT", "600")),
                                allow_errors=True, resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
        network = {"checks": 0, "problems": [], "summary": ""}

        def network_check(**_):  # after each code cell, while the kernel runs
            km = client.km
            if km is None or not km.has_kernel:
                return
            try:
                found, summary = kernel_network.check(km.provisioner.process.pid, km.get_connection_info(), token)
            except Exception as e:  # a check that cannot look proves nothing: it fails
                found, summary = [f"the check itself failed: {type(e).__name__}: {e}"], ""
            network["checks"] += 1
            network["summary"] = network["summary"] or summary
            network["problems"] += [p for p in found if p not in network["problems"]]

        client.on_cell_executed = network_check
        try:
            client.execute()
            problems, summary = check(nb, name)
        except Exception as e:  # the kernel died or did not start
            problems, summary = [f"not executed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"], ""
        nbformat.write(nb, os.path.join(out_dir, name + ".ipynb"))
        try:
            body, _ = HTMLExporter().from_notebook_node(nb)
            with open(os.path.join(out_dir, name + ".html"), "w", encoding="utf-8") as f:
                f.write(body)
        except Exception as e:
            problems.append(f"nbconvert --to html failed: {e}")
        verdict = "ok" if not problems else "FAILS"
        print(f"{name}: {verdict} in {time.time() - start:.0f} s — {summary}" + "".join(f"\n    {p}" for p in problems), flush=True)
        failed += bool(problems)
        if network["checks"]:
            net_checked += 1
            net_bad += bool(network["problems"])
            print(f"    network ({network['checks']} checks): {network['summary']}"
                  + "".join(f"\n    network: {p}" for p in network["problems"]), flush=True)
        else:
            print("    network: not checked (no code cell ran in a live kernel)", flush=True)
    print(f"jupyter: {len(paths) - failed} notebooks ok, {failed} failing")
    net_ok = net_checked > 0 and net_bad == 0
    if net_ok:
        print(f"network: ok — in {net_checked} of {len(paths)} notebooks the kernel listened on its Jupyter ports "
              "(loopback) only, and nothing the run started listened beyond loopback")
    else:
        print(f"network: FAILS — {net_bad} of {net_checked} notebooks checked had a kernel or process listening beyond "
              "its Jupyter ports or beyond loopback (lines above)" if net_checked else
              "network: FAILS — no notebook ran a code cell in a live kernel, so nothing was checked")
    return 1 if failed or not net_ok else 0


if __name__ == "__main__":
    sys.exit(main())
