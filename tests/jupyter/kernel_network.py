#!/usr/bin/env python3
"""What a running kernel, and every process a notebook run started, listens on: read from /proc (Linux), nothing to
install. tests/jupyter/run_notebooks.py calls check() after every code cell while the kernel runs; it fails when

  - a process of the run (it carries the variable MARKER, which run_notebooks.py sets and every child inherits, also
    one that outlives its parent) listens on an address that is not loopback (TCP, or unconnected UDP);
  - the kernel (its process and its children) listens on a TCP port that is not one of the five Jupyter ports of its
    connection file, loopback or not: the .NET kernel's HTTP API runs any code it is sent, without a token, for any web
    page (CORS allows every origin) — it must stay on its private Unix socket (build/jupyter-kernelspecs.py);
  - the connection file's address is not loopback, or the kernel's Jupyter ports are not found listening (then the check
    would be looking at the wrong process and prove nothing).

usage (by hand): kernel_network.py PID     lists what PID and its children listen on
"""
import ipaddress
import os
import socket
import struct
import sys

MARKER = "GANKIT_JUPYTER_RUN"
JUPYTER_PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
TCP_LISTEN, UDP_UNCONNECTED = "0A", "07"


def children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def process_tree(pid):
    """pid and all its descendants."""
    kids, out, todo = children_map(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def processes_of_run(token):
    """Every process whose environment has MARKER=token: the run itself and all it started."""
    needle = f"{MARKER}={token}".encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read() + b"\0":
                        found.append(int(entry))
            except OSError:
                continue
    return found


def socket_inodes(pid):
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(int(link[8:-1]))
    return inodes


def decode_address(hex_address, ipv6):
    raw = bytes.fromhex(hex_address)
    if ipv6:  # four 32-bit words, each in the kernel's (little-endian) byte order
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
        return socket.inet_ntop(socket.AF_INET6, raw)
    return socket.inet_ntop(socket.AF_INET, raw[::-1])


def is_loopback(address):
    ip = ipaddress.ip_address(address.split("%")[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_loopback


def process_name(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            words = f.read().split(b"\0")
        return " ".join(" ".join(os.path.basename(w.decode(errors="replace")) for w in words[:3] if w).split())[:100]
    except OSError:
        return "?"


def listening(pids):
    """(pid, protocol, address, port) for every TCP socket in LISTEN state and every unconnected UDP socket the
    processes hold. Each process's own /proc/PID/net view is read, so a process in another network namespace is seen
    in its own."""
    found = set()
    for pid in pids:
        inodes = socket_inodes(pid)
        if not inodes:
            continue
        for protocol, state in (("tcp", TCP_LISTEN), ("tcp6", TCP_LISTEN), ("udp", UDP_UNCONNECTED), ("udp6", UDP_UNCONNECTED)):
            try:
                with open(f"/proc/{pid}/net/{protocol}") as f:
                    next(f)
                    rows = [line.split() for line in f]
            except OSError:
                continue
            for row in rows:
                if row[3] == state and int(row[9]) in inodes:
                    if protocol.startswith("udp") and int(row[2].split(":")[1], 16) != 0:
                        continue  # connected UDP: talks to one peer only
                    address, port = row[1].split(":")
                    found.add((pid, protocol, decode_address(address, protocol.endswith("6")), int(port, 16)))
    return sorted(found)


def unix_listeners(pids):
    """Paths of the Unix sockets the processes listen on."""
    inodes = set()
    for pid in pids:
        inodes |= socket_inodes(pid)
    paths = []
    try:
        with open("/proc/net/unix") as f:
            next(f)
            for line in f:
                row = line.split()
                # Flags 00010000: accepting connections (listening)
                if len(row) >= 8 and int(row[6]) in inodes and int(row[3], 16) & 0x10000:
                    paths.append(row[7])
    except OSError:
        pass
    return sorted(set(paths))


def endpoint(address, port):
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def check(kernel_pid, connection_info, token):
    """Problems (sentences) and a one-line summary of what the kernel listens on."""
    problems = []
    ip = str(connection_info.get("ip", ""))
    if connection_info.get("transport", "tcp") == "tcp" and not is_loopback(ip):
        problems.append(f"the connection file puts the kernel's Jupyter ports on {ip}, not loopback: anyone who "
                        "reaches that address can try them (Jupyter's default is 127.0.0.1)")
    jupyter_ports = {int(connection_info[k]) for k in JUPYTER_PORTS if k in connection_info}
    kernel = listening(process_tree(kernel_pid))
    seen = {port for _, _, _, port in kernel}
    if not jupyter_ports or not jupyter_ports <= seen:
        problems.append(f"the kernel's Jupyter ports {sorted(jupyter_ports)} were not found listening in process "
                        f"{kernel_pid} or its children (found {sorted(seen)}): this check is looking at the wrong process")
    extra = [(pid, address, port) for pid, protocol, address, port in kernel
             if protocol.startswith("tcp") and port not in jupyter_ports]
    if extra:
        remote = [endpoint(a, p) for _, a, p in extra if not is_loopback(a)]
        local = [endpoint(a, p) for _, a, p in extra if is_loopback(a)]
        reach = "; ".join(([f"from the network on {', '.join(remote)}"] if remote else [])
                          + ([f"by every local user and web page on {', '.join(local)}"] if local else []))
        problems.append(f"the kernel (process {extra[0][0]}: {process_name(extra[0][0])}) listens beyond its five Jupyter "
                        f"ports: the .NET kernel's HTTP API, which runs any code it is sent without a token, is reachable "
                        f"{reach}. Register the kit's kernel spec: bash build/setup-jupyter.sh")
    # Everything else the run started (the kernel's own sockets are judged above).
    others = listening(processes_of_run(token)) if token else []
    for pid, protocol, address, port in others:
        if (pid, protocol, address, port) not in kernel and not is_loopback(address):
            problems.append(f"process {pid} ({process_name(pid)}), started by this run, listens on {protocol} "
                            f"{endpoint(address, port)}: reachable from the network")
    ports = ", ".join(endpoint(a, p) for _, proto, a, p in kernel if proto.startswith("tcp"))
    sockets = [p for p in unix_listeners(process_tree(kernel_pid)) if "dotnet-interactive-http" in p]
    summary = f"kernel listens on {ports or 'nothing'}" + (f"; its HTTP API on the Unix socket {sockets[0]}" if sockets else "")
    return problems, summary


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print(__doc__)
        return 2
    pid = int(sys.argv[1])
    for p, protocol, address, port in listening(process_tree(pid)):
        print(f"{p:>7} {protocol:<5} {endpoint(address, port):<32} {'loopback' if is_loopback(address) else 'NOT LOOPBACK'}  {process_name(p)}")
    for path in unix_listeners(process_tree(pid)):
        print(f"{'':>7} unix  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
