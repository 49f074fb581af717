#!/usr/bin/env bash
# Sets up the notebook front-end path: the .NET Interactive Jupyter kernel (.net-csharp) that JupyterLab, Notebook 7,
# VS Code's Jupyter extension and the classic Notebook start, plus Debian's Jupyter client to run notebooks headless.
#   - Debian/Ubuntu packages jupyter-nbconvert, python3-nbclient, python3-ipykernel and jupyter-client (`jupyter
#     kernelspec`) when missing (as root; otherwise the line to run is printed). Add jupyter-notebook for the Notebook
#     web UI (see README).
#   - the Microsoft.dotnet-interactive tool, pinned in .config/dotnet-tools.json (a local tool of this repository: the
#     kernel starts as `dotnet interactive …` from the notebook's folder, which finds the pin)
#   - the kernel specs .net-csharp, .net-fsharp and .net-powershell in Jupyter's data folder (JUPYTER_DATA_DIR when set, else
#     the user's, as `jupyter --data-dir` says: ~/.local/share/jupyter on Linux), created when missing. They are the
#     tool's own specs rewritten by build/jupyter-kernelspecs.py so that the kernel listens on no TCP port of its own:
#     the stock spec opens the kernel's HTTP API, which runs any code it is sent, on every network interface.
# Idempotent. Linux and macOS. Usage: bash build/setup-jupyter.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT=1

case "$(uname -s)" in
  Linux | Darwin) ;;
  *) echo "build/setup-jupyter.sh writes kernel specs that start /bin/sh: run it on Linux or macOS (on Windows, in WSL)." >&2
     exit 1 ;;
esac

packages=(jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client)
missing() {
  ! /usr/bin/python3 -c "import nbclient, nbconvert, ipykernel, jupyter_client, jupyter_core" 2>/dev/null ||
    ! command -v jupyter >/dev/null || ! command -v jupyter-kernelspec >/dev/null
}
if missing; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${packages[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    if missing; then
      echo "error: installed ${packages[*]}, but /usr/bin/python3 still cannot import nbclient, nbconvert, ipykernel and jupyter_client, or the commands jupyter / jupyter-kernelspec are not on PATH" >&2
      exit 1
    fi
  elif command -v apt-get >/dev/null; then
    echo "Jupyter's client is missing: run  sudo apt-get install ${packages[*]}  then this script again." >&2
    exit 1
  else
    echo "Jupyter's client is missing: install nbclient, nbconvert, ipykernel and jupyter_client for /usr/bin/python3 (the commands jupyter and jupyter-kernelspec on PATH), then run this script again." >&2
    exit 1
  fi
fi

echo "== dotnet-interactive (local tool, .config/dotnet-tools.json)"
dotnet tool restore >/dev/null
dotnet tool list --local | grep -i dotnet-interactive

echo "== registering the .NET kernels with Jupyter"
# Jupyter's data folder as Jupyter computes it (JUPYTER_DATA_DIR wins); its kernels/ folder does not exist on a fresh
# machine, and `dotnet interactive jupyter install` does not create it.
data_dir=$(jupyter --data-dir)
[ -n "$data_dir" ] || { echo "error: \`jupyter --data-dir\` printed nothing" >&2; exit 1; }
kernels="$data_dir/kernels"
mkdir -p "$kernels"
# The tool writes its stock specs into a scratch folder; build/jupyter-kernelspecs.py rewrites them into $kernels.
stock=$(mktemp -d)
trap 'rm -rf "$stock"' EXIT
if ! out=$(dotnet interactive jupyter install --path "$stock" 2>&1); then
  printf '%s\n' "$out" >&2
  echo "error: \`dotnet interactive jupyter install --path $stock\` failed (output above)" >&2
  exit 1
fi
/usr/bin/python3 build/jupyter-kernelspecs.py write "$stock" "$kernels"
# Check the kernel.json files themselves, and that Jupyter resolves each name to them (not to an older spec elsewhere).
/usr/bin/python3 build/jupyter-kernelspecs.py check "$kernels" .net-csharp .net-fsharp .net-powershell
