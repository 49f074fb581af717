#!/usr/bin/env bash
# Sets up the notebook front-end path: the .NET Interactive Jupyter kernel (.net-csharp) that JupyterLab, Notebook 7,
# VS Code's Jupyter extension and Polyglot Notebooks all start, plus Debian's Jupyter client to run notebooks headless.
#   - the Microsoft.dotnet-interactive tool, pinned in .config/dotnet-tools.json (a local tool of this repository: the
#     kernel starts as `dotnet interactive …` from the notebook's folder, which finds the pin)
#   - the kernel specs registered with Jupyter (`dotnet interactive jupyter install`, into ~/.local/share/jupyter)
#   - Debian/Ubuntu packages jupyter-nbconvert, python3-nbclient, python3-ipykernel when missing (as root; otherwise
#     the line to run is printed). Add jupyter-notebook for the Notebook web UI (see README).
# Idempotent. Usage: bash build/setup-jupyter.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

packages=(jupyter-nbconvert python3-nbclient python3-ipykernel)
if ! /usr/bin/python3 -c "import nbclient, nbconvert, ipykernel" 2>/dev/null || ! command -v jupyter >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${packages[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  else
    echo "Jupyter's client is missing: run  sudo apt-get install ${packages[*]}  (or pip install nbclient nbconvert ipykernel), then this script again." >&2
    exit 1
  fi
fi

echo "== dotnet-interactive (local tool, .config/dotnet-tools.json)"
dotnet tool restore >/dev/null
dotnet tool list --local | grep -i dotnet-interactive
echo "== registering the .NET kernels with Jupyter"
dotnet interactive jupyter install 2>&1 | grep -i "installed" || true
# (read the list first: `… | grep -q` closes the pipe early, which pipefail would count as a failure)
specs=$(jupyter kernelspec list 2>/dev/null || true)
where=$(printf '%s\n' "$specs" | awk '$1==".net-csharp" {print $2}')
[ -n "$where" ] || { echo "the .net-csharp kernel is not registered (see the lines above)" >&2; exit 1; }
echo "ok: .net-csharp kernel at $where"
