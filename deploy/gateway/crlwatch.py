"""Keep the local gateway's CRLs fresh, and make nginx read new ones.

    python deploy/gateway/crlwatch.py --pki var/pki --nginx-pid-file var/local/run/gateway.pid
        [--interval 60] [--once]

nginx reads ``ssl_crl`` (and its certificates) only at start and on reload, and once any CRL of
the bundle passes its ``nextUpdate`` it refuses EVERY client certificate (COMPONENTS.md). The
local stack runs this beside nginx; every ``--interval`` seconds it:

1. re-issues the CRLs through ``devpki.py init`` when one expires within 2 days (the margin
   ``init`` itself uses: it refreshes exactly those and changes nothing else that is sound);
2. reloads nginx (SIGHUP to its master) when a file nginx reads changed since the last look:
   ``crls.pem``, ``trusted-clients.pem``, ``server.pem``, ``server.key.pem``. So a
   ``devpki.py revoke`` or ``crl`` run by hand reaches the gateway within a minute too.

Needs ``cryptography`` (the project's virtualenv). Prints one line per action.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from cryptography import x509

DEVPKI = Path(__file__).resolve().parents[1] / "pki" / "devpki.py"
# devpki.py init re-issues a CRL this close to its nextUpdate (pkimodel.crl_needs_refresh).
MARGIN = dt.timedelta(days=2)
WATCHED = ("crls.pem", "trusted-clients.pem", "server.pem", "server.key.pem")
_PEM_CRL = re.compile(rb"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----", re.DOTALL)


def say(message: str) -> None:
    print(f"crlwatch: {message}", flush=True)


def earliest_next_update(bundle: Path) -> dt.datetime | None:
    """The soonest nextUpdate among the CRLs of a PEM bundle (None: no CRL, or one without it)."""
    updates = []
    for block in _PEM_CRL.findall(bundle.read_bytes()):
        next_update = x509.load_pem_x509_crl(block).next_update_utc
        if next_update is None:
            return None
        updates.append(next_update)
    return min(updates) if updates else None


def snapshot(pki: Path) -> str:
    digest = hashlib.sha256()
    for name in WATCHED:
        path = pki / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"-") + b"\0")
    return digest.hexdigest()


def nginx_master(pid_file: Path) -> int | None:
    """The gateway's nginx master pid, if it runs (checked, not just read from the file)."""
    try:
        pid = int(pid_file.read_text().strip())
        title = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if title.startswith(b"nginx: master process") else None


def refresh_if_due(pki: Path, margin: dt.timedelta, python: str) -> None:
    soonest = earliest_next_update(pki / "crls.pem")
    now = dt.datetime.now(dt.timezone.utc)
    if soonest is not None and soonest > now + margin:
        return
    say(f"a CRL expires {soonest.isoformat() if soonest else '(unknown)'}: re-issuing (devpki.py init)")
    result = subprocess.run([python, str(DEVPKI), "init", "--out", str(pki)], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        say(f"devpki.py init failed: {result.stderr.strip()}")


def watch(pki: Path, pid_file: Path, interval: float, margin: dt.timedelta, once: bool) -> int:
    python = sys.executable
    seen = snapshot(pki)
    stop = False

    def leave(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)
    while not stop:
        refresh_if_due(pki, margin, python)
        current = snapshot(pki)
        if current != seen:
            pid = nginx_master(pid_file)
            if pid is None:
                say("PKI files changed but nginx is not running: nothing to reload")
            else:
                os.kill(pid, signal.SIGHUP)
                say(f"PKI files changed: nginx (pid {pid}) reloaded")
            seen = current
        if once:
            break
        deadline = time.monotonic() + interval
        while not stop and time.monotonic() < deadline:
            time.sleep(min(1.0, interval))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pki", type=Path, required=True)
    parser.add_argument("--nginx-pid-file", type=Path, required=True)
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between looks (default 60)")
    parser.add_argument("--once", action="store_true", help="look once and exit")
    args = parser.parse_args(argv)
    return watch(args.pki.resolve(), args.nginx_pid_file, args.interval, MARGIN, args.once)


if __name__ == "__main__":
    sys.exit(main())
