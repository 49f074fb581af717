#!/usr/bin/env python3
"""Writes the .NET Interactive kernel specs (.net-csharp, .net-fsharp, .net-powershell) so that the kernel has no TCP port of
its own, and checks that Jupyter finds them. Called by build/setup-jupyter.sh; Linux and macOS (the specs start /bin/sh).

usage: jupyter-kernelspecs.py write STOCK_DIR KERNELS_DIR   rewrite the specs `dotnet interactive jupyter install --path
                                                            STOCK_DIR` wrote, into KERNELS_DIR/<name>/
       jupyter-kernelspecs.py check KERNELS_DIR NAME...     exit 1 unless each NAME's kernel.json in KERNELS_DIR is such a
                                                            spec and is the one Jupyter resolves NAME to

Why: the stock spec starts `dotnet interactive jupyter … --http-port-range 2048-3000`, and the kernel then serves its HTTP
API (a SignalR hub that runs any code it is sent, no token, any web origin allowed by CORS) on every interface of the
machine. Leaving the option out does not help: 2048-3000 is the `jupyter` command's default (see `dotnet interactive
jupyter --help`), so the API cannot be switched off from the command line. What the kit's spec does instead:
  - ASP.NET Core's own configuration (the variable Kestrel__Endpoints__Http__Url) moves the kernel's web server onto a
    Unix socket in a new directory of mode 700 (mktemp -d): no TCP port at all, and only the kernel's user can connect.
    The launcher starts the kernel with `exec`, so Jupyter signals (interrupt, shutdown) the kernel process itself.
  - --http-local-only: the kernel's first output (a script for its browser-side JavaScript API) no longer lists the
    machine's network addresses. That script finds no kernel API over TCP any more, so the browser-side API
    (JavaScript in outputs calling back into the kernel, variable sharing with the page) is gone; nothing in the kit
    uses it. The Jupyter channels themselves (ZMQ, ports on the connection file's 127.0.0.1) are untouched.
"""
import json
import os
import shlex
import shutil
import sys

# The web server's endpoint, set in the kernel's environment only. A new private directory per kernel: the socket's
# name stays short (Unix sockets take ~100 characters) and no two kernels share it. Kestrel removes the socket when the
# kernel shuts down; the launcher removes the empty directories of kernels that have ended.
LAUNCHER = ('t="${TMPDIR:-/tmp}"; rmdir "$t"/dotnet-interactive-http.* 2>/dev/null; '
            'd=$(mktemp -d "$t/dotnet-interactive-http.XXXXXX") || exit 1; '
            'export Kestrel__Endpoints__Http__Url="http://unix:$d/kernel.sock"; '
            'exec %s')
CONNECTION_FILE = "{connection_file}"
HTTP_OPTIONS = ("--http-port-range", "--http-port")


def fail(message):
    print(f"jupyter-kernelspecs: {message}", file=sys.stderr)
    sys.exit(1)


def kernel_command(stock_argv, where):
    """The stock argv (dotnet interactive jupyter --default-kernel X {connection_file} --http-port-range A-B) as the
    kernel command the launcher execs: HTTP port options dropped, --http-local-only added, the connection file as $1."""
    if stock_argv[:3] != ["dotnet", "interactive", "jupyter"] or stock_argv.count(CONNECTION_FILE) != 1:
        fail(f"{where}: unexpected kernel command {stock_argv} (a new dotnet-interactive version?); "
             "expected: dotnet interactive jupyter … {connection_file} …. Update build/jupyter-kernelspecs.py.")
    argv, skip = [], False
    for arg in stock_argv:
        if skip:
            skip = False
        elif arg in HTTP_OPTIONS:
            skip = True
        elif arg.split("=", 1)[0] in HTTP_OPTIONS:
            pass
        elif arg != "--http-local-only":
            argv.append(arg)
    argv.insert(argv.index(CONNECTION_FILE), "--http-local-only")
    return " ".join('"$1"' if a == CONNECTION_FILE else shlex.quote(a) for a in argv)


def write(stock_dir, kernels_dir):
    names = sorted(n for n in os.listdir(stock_dir) if os.path.isfile(os.path.join(stock_dir, n, "kernel.json")))
    if not names:
        fail(f"no kernel.json under {stock_dir}: did `dotnet interactive jupyter install --path {stock_dir}` run?")
    for name in names:
        source = os.path.join(stock_dir, name)
        with open(os.path.join(source, "kernel.json"), encoding="utf-8") as f:
            spec = json.load(f)
        spec["argv"] = ["/bin/sh", "-c", LAUNCHER % kernel_command(spec["argv"], name), name, CONNECTION_FILE]
        target = os.path.join(kernels_dir, name)
        if os.path.isdir(target):
            shutil.rmtree(target)
        shutil.copytree(source, target)
        with open(os.path.join(target, "kernel.json"), "w", encoding="utf-8") as f:
            json.dump(spec, f, indent=2)
            f.write("\n")
        print(f"wrote {target}/kernel.json")


def problems_of(spec_path):
    """What is wrong with a kernel.json, as sentences; empty when it is the kit's spec."""
    try:
        with open(spec_path, encoding="utf-8") as f:
            argv = json.load(f).get("argv", [])
    except (OSError, ValueError) as e:
        return [f"cannot read {spec_path}: {e}"]
    problems = []
    text = " ".join(argv)
    if any(o in text for o in HTTP_OPTIONS):
        problems.append("it starts the kernel with an HTTP port option: its HTTP API listens on TCP (on every "
                        "interface without --http-local-only) and runs code for anyone who connects")
    if "Kestrel__Endpoints__Http__Url=\"http://unix:" not in text:
        problems.append("it does not move the kernel's web server onto a Unix socket: the kernel then listens on TCP "
                        "ports 2048-3000 (the default of `dotnet interactive jupyter`)")
    if argv.count(CONNECTION_FILE) != 1:
        problems.append("{connection_file} must appear once, as an argument of its own (VS Code replaces only that)")
    return problems


def check(kernels_dir, names):
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    manager = KernelSpecManager()
    bad = 0
    for name in names:
        path = os.path.join(kernels_dir, name, "kernel.json")
        if not os.path.isfile(path):
            print(f"error: {path} is missing: the {name} kernel is not registered", file=sys.stderr)
            bad += 1
            continue
        problems = problems_of(path)
        for p in problems:
            print(f"error: {path}: {p}. Run bash build/setup-jupyter.sh again.", file=sys.stderr)
        bad += bool(problems)
        try:
            resolved = manager.get_kernel_spec(name).resource_dir
        except NoSuchKernel:
            resolved = None
        if resolved is None or os.path.realpath(resolved) != os.path.realpath(os.path.dirname(path)):
            print(f"error: Jupyter resolves the kernel {name} to {resolved}, not to {os.path.dirname(path)} "
                  f"(Jupyter's kernel folders, first wins: {manager.kernel_dirs}); remove that one "
                  f"(jupyter kernelspec remove {name}, or from JUPYTER_PATH) and run this set-up again.", file=sys.stderr)
            bad += 1
        elif not problems:
            print(f"ok: {name} kernel at {resolved} (its HTTP API on a private Unix socket, no TCP port of its own)")
    return 1 if bad else 0


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
