"""Small network probes for ./scelle, so the shell script needs neither curl nor nc.

    python deploy/local/probe.py free-ports N
        print N distinct free TCP ports on 127.0.0.1
    python deploy/local/probe.py wait [--timeout S] [--pid PID] TARGET...
        wait until every TARGET is ready; fail on timeout or when PID dies
    python deploy/local/probe.py check TARGET...
        print one line per TARGET; exit 0 only if all are ready

A TARGET is ``tcp://HOST:PORT`` (ready when it accepts a connection) or an
``http://`` URL (ready when it answers 200).
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from urllib.parse import urlsplit

READY = "ready"


def state(target: str) -> str:
    """``READY`` or a short reason why not."""
    parts = urlsplit(target)
    if parts.scheme == "tcp":
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=1):
                return READY
        except OSError:
            return "not listening"
    try:
        with urllib.request.urlopen(target, timeout=2) as response:
            return READY if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (OSError, urllib.error.URLError):
        return "not answering"


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # The state follows the parenthesised command name; a zombie has exited.
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def free_ports(count: int) -> list[int]:
    # Keep every socket open until all are chosen so the ports are distinct.
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def wait(targets: list[str], timeout: float, pid: int | None) -> int:
    deadline = time.monotonic() + timeout
    pending = list(targets)
    while True:
        pending = [t for t in pending if state(t) != READY]
        if not pending:
            return 0
        if pid is not None and not pid_alive(pid):
            print(f"process {pid} exited while waiting for: {' '.join(pending)}", file=sys.stderr)
            return 1
        if time.monotonic() > deadline:
            for target in pending:
                print(f"not ready after {timeout:.0f}s: {target} ({state(target)})", file=sys.stderr)
            return 1
        time.sleep(0.5)


def check(targets: list[str]) -> int:
    states = {target: state(target) for target in targets}
    for target, result in states.items():
        print(f"{target} {result}")
    return 0 if all(result == READY for result in states.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("free-ports").add_argument("count", type=int)
    wait_parser = commands.add_parser("wait")
    wait_parser.add_argument("--timeout", type=float, default=60)
    wait_parser.add_argument("--pid", type=int)
    wait_parser.add_argument("targets", nargs="+")
    commands.add_parser("check").add_argument("targets", nargs="+")
    args = parser.parse_args()
    if args.command == "free-ports":
        print(*free_ports(args.count))
        return 0
    if args.command == "wait":
        return wait(args.targets, args.timeout, args.pid)
    return check(args.targets)


if __name__ == "__main__":
    sys.exit(main())
