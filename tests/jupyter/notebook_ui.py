#!/usr/bin/env python3
"""Opens a notebook in the Notebook web UI (Debian's jupyter-notebook) in headless Chromium, runs all its cells there in
the .net-csharp kernel, as a student clicking *Run All* would, and saves a screenshot of the page.

usage: notebook_ui.py NOTEBOOK.ipynb SCREENSHOT.png [SECONDS]     (from the repository root)
needs: jupyter-notebook, chromium, python3-websocket (Debian packages) and build/setup-jupyter.sh done.
Run it with the network off to see that charts need none:  unshare -n sh -c 'ip link set lo up; python3 …'
Prints the kernel, errors shown in the page, charts drawn by plotly.js and images; exits 1 on any error output.
"""
import base64
import json
import os
import subprocess
import sys
import time
import urllib.request

import websocket

NOTEBOOK_PORT, DEVTOOLS_PORT = 8899, 9333


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    path, shot = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    budget = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    server = subprocess.Popen(
        ["jupyter-notebook", "--no-browser", f"--port={NOTEBOOK_PORT}", "--ip=127.0.0.1", "--NotebookApp.token=",
         "--NotebookApp.password=", "--allow-root", f"--notebook-dir={os.path.dirname(path)}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = subprocess.Popen(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         f"--remote-debugging-port={DEVTOOLS_PORT}", "--window-size=1300,2400", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = None
        for _ in range(30):
            time.sleep(1)
            try:
                page = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{DEVTOOLS_PORT}/json")) if t["type"] == "page")
                break
            except Exception:
                continue
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=600)
        counter = [0]

        def call(method, **params):
            counter[0] += 1
            ws.send(json.dumps({"id": counter[0], "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == counter[0]:
                    return message

        def js(expression):
            return call("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("result", {}).get("value")

        url = f"http://127.0.0.1:{NOTEBOOK_PORT}/notebooks/{os.path.basename(path)}"
        for _ in range(20):  # the server may still be starting
            call("Page.navigate", url=url)
            time.sleep(3)
            if js("typeof Jupyter !== 'undefined'"):
                break
        for _ in range(60):
            if js("!!(Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())"):
                break
            time.sleep(2)
        print("kernel:", js("Jupyter.notebook.kernel.name"))
        js("Jupyter.notebook.clear_all_output(); Jupyter.notebook.execute_all_cells(); true")
        start = time.time()
        while time.time() - start < budget:
            time.sleep(3)
            if time.time() - start > 8 and js("Jupyter.notebook.get_cells().filter(c => c.cell_type == 'code' && c.input_prompt_number === '*').length") == 0:
                break
        errors = js("Jupyter.notebook.get_cells().flatMap(c => c.output_area ? c.output_area.outputs : [])"
                    ".filter(o => o.output_type == 'error').map(o => o.ename + ': ' + (o.evalue || '').slice(0, 200))") or []
        charts = js("document.querySelectorAll('.gankit-plotly').length")
        drawn = js("Array.from(document.querySelectorAll('.gankit-plotly')).filter(d => d.querySelector('.main-svg')).length")
        images = js("document.querySelectorAll('.output_area img').length")
        print(f"ran {time.time() - start:.0f} s; charts drawn {drawn} of {charts}; images {images}; errors {len(errors)}")
        for e in errors:
            print("  ", e)
        # The classic Notebook scrolls inside #site: let the page grow to its content for a full-length screenshot.
        js("(function(){var s=document.getElementById('site'); if (s) { s.style.height='auto'; s.style.overflow='visible'; } return true;})()")
        height = js("document.documentElement.scrollHeight") or 2400
        call("Emulation.setDeviceMetricsOverride", width=1300, height=min(int(height), 16000), deviceScaleFactor=1, mobile=False)
        time.sleep(2)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["result"]["data"]))
        print("screenshot:", shot)
        js("Jupyter.notebook.kernel.kill(); true")
        return 1 if errors or drawn != charts else 0
    finally:
        browser.terminate()
        server.terminate()


if __name__ == "__main__":
    sys.exit(main())
