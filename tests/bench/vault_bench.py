"""Vault benchmark: bytes through the gateway and the documents service vs boto3 straight to S3.

Runs against the local platform (``./scelle up``; start it with ``SCELLE_GATEWAY_MAX_BODY=3g``
for the 2 GiB round trip), from the repository root::

    .venv/bin/python tests/bench/vault_bench.py [--size-mib 1024] [--zip-files 200] [--json]
    .venv/bin/python tests/bench/vault_bench.py --roundtrip-gib 2      # the 2 GiB round trip + RSS

As the demo expert (client certificate of the dev PKI), it creates an expertise through the
expertise API, waits until the vault's consumer has built its folders from the events, then:

**Throughput** (default): a ``--size-mib`` file (random bytes, made once in a temporary
directory: the *client* reads it from disk, the vault never writes one) is

* uploaded with ``curl -T`` (C, streaming, HTTP/1.1 over mTLS) to
  ``POST /api/documents/v1/folders/<id>/documents`` — nginx (``proxy_request_buffering off``) →
  gunicorn sync worker → ``request.stream`` → SHA-256 → S3 multipart (8 MiB parts, 2 in flight) →
  row + receipt + outbox event + audit row; and downloaded with ``curl -o /dev/null`` from
  ``GET …/documents/<id>/content`` (S3 ``get_object`` body streamed through the worker and nginx);
* uploaded and downloaded with boto3 straight to the same S3 server (``upload_file`` /
  ``download_fileobj``, boto3's default transfer manager: multipart, 10 threads) into the same
  bucket, in the same run — the baseline of the targets; plus, for context only, one
  ``get_object`` read in order (``direct_down_1_stream``).

Each path runs ``--rounds`` times alternately; the best round of each counts (a shared 2-core
machine has neighbours). Target: vault ≥ 60 % of direct, both ways.

**ZIP**: ``--zip-files`` files of ``--zip-file-kib`` are deposited, then downloaded as one ZIP
(``POST …/expertises/<id>/archive``, built on the fly by zipstream-ng); time to first byte and
throughput are measured on the client. Target: first byte < 1 s.

**Round trip** (``--roundtrip-gib N``): an N GiB file up through the gateway and back, SHA-256
compared on both sides (the download is hashed as it arrives), the receipt checked by the
verification endpoint and offline (``scelle-documents receipt verify`` with the public keys from
``/v1/receipt-keys``), and the documents API workers' peak RSS (``VmHWM``, plus ``VmRSS``
sampled every 100 ms) reported. Target: < 200 MB.

Exit code 0 whatever the figures, and 0 with a ``SKIPPED`` line when the local platform is not
running (``./scelle bench`` runs every script in the test environment, without the platform);
non-zero when the platform runs but the benchmark could not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
TARGET_RATIO = 0.6
TARGET_ZIP_FIRST_BYTE_S = 1.0
TARGET_PEAK_RSS_MB = 200.0


def log(message: str) -> None:
    print(f"[vault-bench] {message}", file=sys.stderr, flush=True)


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


class Platform:
    """The local stack as the demo expert sees it."""

    def __init__(self, gateway: str, pki: Path, user: str) -> None:
        self.gateway = gateway.rstrip("/")
        self.ca = str(pki / "server-ca.pem")
        self.cert = str(pki / "users" / user / "chain.pem")
        self.key = str(pki / "users" / user / "key.pem")
        self.session = requests.Session()
        self.session.trust_env = False  # REQUESTS_CA_BUNDLE would replace our CA; no proxy on loopback
        self.session.verify = self.ca
        self.session.cert = (self.cert, self.key)

    def curl(self, *arguments: str) -> list[str]:
        return ["curl", "-sS", "--fail-with-body", "--noproxy", "*", "--cacert", self.ca, "--cert", self.cert, "--key", self.key,
                *arguments]

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.gateway}/api{path}", timeout=600, **kwargs)

    def new_case(self) -> dict[str, str]:
        """An expertise created through the expertise API; its vault folders, once built from events."""
        token = os.urandom(3).hex()
        created = self.api("POST", "/expertise/v1/expertises", json={
            "first_applicant": "Banc", "first_defender": f"Coffre {token}", "jurisdiction": "TJ Paris",
            "rg_number": f"26/{token}", "expert_name": "Garnier", "designation_date": "14-03-2024"})
        created.raise_for_status()
        expertise_id = created.json()["id"]
        deadline = time.monotonic() + 30
        while True:
            listed = self.api("GET", f"/documents/v1/expertises/{expertise_id}/folders")
            if listed.status_code == 200:
                return {"expertise_id": expertise_id} | {f["path"]: f["id"] for f in listed.json()["folders"]}
            if time.monotonic() > deadline:
                raise SystemExit(f"the vault never learnt expertise {expertise_id}: {listed.status_code} {listed.text}")
            time.sleep(0.3)

    def upload(self, folder_id: str, path: Path, name: str) -> tuple[dict[str, Any], float]:
        url = f"{self.gateway}/api/documents/v1/folders/{folder_id}/documents?name={name}"
        started = time.perf_counter()
        result = subprocess.run(self.curl("-X", "POST", "-T", str(path), "-H", "Content-Type: application/octet-stream",
                                          "-H", "Expect:", url), capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"upload failed: {result.stdout.decode()[:500]} {result.stderr.decode()[:500]}")
        return json.loads(result.stdout), elapsed

    def download(self, document_id: str, sink: str = "/dev/null") -> float:
        url = f"{self.gateway}/api/documents/v1/documents/{document_id}/content"
        started = time.perf_counter()
        subprocess.run(self.curl("-o", sink, url), check=True)
        return time.perf_counter() - started


def make_file(directory: Path, size: int) -> tuple[Path, str]:
    path = directory / f"bench-{size}.bin"
    digest = hashlib.sha256()
    block = os.urandom(16 * MIB)
    with path.open("wb") as out:
        written = 0
        while written < size:
            piece = block[: min(len(block), size - written)]
            out.write(piece)
            digest.update(piece)
            written += len(piece)
    return path, digest.hexdigest()


class Null:
    def write(self, data: bytes) -> int:
        return len(data)


def direct_client(env: dict[str, str]) -> tuple[Any, str]:
    client = boto3.session.Session().client(
        "s3", endpoint_url=env["DOCUMENTS_S3_ENDPOINT_URL"], aws_access_key_id=env["DOCUMENTS_S3_ACCESS_KEY"],
        aws_secret_access_key=env["DOCUMENTS_S3_SECRET_KEY"], region_name=env["DOCUMENTS_S3_REGION"],
        config=Config(s3={"addressing_style": "path"}))
    return client, env.get("DOCUMENTS_S3_BUCKET", "scelle-documents")


def mbps(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def documents_workers() -> list[int]:
    """PIDs of the documents API's gunicorn workers (children of its master)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "scelle_documents.entrypoints.wsgi:app" in command and "gunicorn" in command:
            pids.append(int(entry.name))
    masters = {pid for pid in pids if _parent(pid) not in pids}
    return [pid for pid in pids if pid not in masters]


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.peak, self._halted = pids, dict.fromkeys(pids, 0), threading.Event()

    def run(self) -> None:
        while not self._halted.wait(0.1):
            for pid in self.pids:
                try:
                    self.peak[pid] = max(self.peak[pid], memory_kib(pid, "VmRSS"))
                except OSError:
                    pass

    def halt(self) -> dict[int, int]:
        self._halted.set()
        self.join()
        return self.peak


def throughput(args: argparse.Namespace, platform: Platform, env: dict[str, str], work: Path) -> dict[str, Any]:
    case = platform.new_case()
    folder = case["expert/correspondance"]
    size = args.size_mib * MIB
    log(f"making a {args.size_mib} MiB file")
    path, sha = make_file(work, size)
    client, bucket = direct_client(env)
    rounds: dict[str, list[float]] = {"vault_up": [], "vault_down": [], "direct_up": [], "direct_down": [],
                                      "direct_down_1_stream": []}
    for round_number in range(1, args.rounds + 1):
        log(f"round {round_number}/{args.rounds}: direct boto3")
        key = f"bench/{os.urandom(8).hex()}"
        started = time.perf_counter()
        client.upload_file(str(path), bucket, key)
        rounds["direct_up"].append(time.perf_counter() - started)
        started = time.perf_counter()
        client.download_fileobj(bucket, key, Null())
        rounds["direct_down"].append(time.perf_counter() - started)
        # Context only (no target): one GET read in order, as the vault reads a part.
        started = time.perf_counter()
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        for _chunk in body.iter_chunks(MIB):
            pass
        rounds["direct_down_1_stream"].append(time.perf_counter() - started)
        client.delete_object(Bucket=bucket, Key=key)
        log(f"round {round_number}/{args.rounds}: gateway + vault")
        document, seconds = platform.upload(folder, path, f"banc-{round_number}.bin")
        if document["sha256"] != sha or document["size"] != size:
            raise SystemExit("the vault's hash or size does not match the file")
        rounds["vault_up"].append(seconds)
        rounds["vault_down"].append(platform.download(document["id"]))
    best = {name: mbps(size, min(values)) for name, values in rounds.items()}
    return {
        "size_bytes": size, "rounds": args.rounds,
        "mb_per_s": best,
        "all_rounds_mb_per_s": {name: [round(mbps(size, s), 1) for s in values] for name, values in rounds.items()},
        "ratio_upload": best["vault_up"] / best["direct_up"],
        "ratio_download": best["vault_down"] / best["direct_down"],
    }


def zip_download(args: argparse.Namespace, platform: Platform) -> dict[str, Any]:
    case = platform.new_case()
    folder = case["expert/correspondance"]
    log(f"depositing {args.zip_files} files of {args.zip_file_kib} KiB")
    ids = []
    payload = os.urandom(args.zip_file_kib * 1024)
    for index in range(args.zip_files):
        response = platform.api("POST", f"/documents/v1/folders/{folder}/documents", params={"name": f"pièce {index}.bin"},
                                data=payload, headers={"Content-Type": "application/octet-stream"})
        response.raise_for_status()
        ids.append(response.json()["id"])
    results = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        response = platform.session.post(f"{platform.gateway}/api/documents/v1/expertises/{case['expertise_id']}/archive",
                                         json={"document_ids": ids}, stream=True, timeout=600)
        response.raise_for_status()
        first_byte = None
        total = 0
        for chunk in response.iter_content(256 * 1024):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            total += len(chunk)
        elapsed = time.perf_counter() - started
        results.append({"first_byte_s": first_byte, "seconds": elapsed, "bytes": total})
    best = min(results, key=lambda r: r["seconds"])
    return {"files": args.zip_files, "file_bytes": len(payload), "archive_bytes": best["bytes"],
            "first_byte_s": min(r["first_byte_s"] for r in results), "mb_per_s": mbps(best["bytes"], best["seconds"]),
            "rounds": results}


def roundtrip(args: argparse.Namespace, platform: Platform, work: Path) -> dict[str, Any]:
    case = platform.new_case()
    folder = case["expert/correspondance"]
    size = int(args.roundtrip_gib * 1024 * MIB)
    log(f"making a {args.roundtrip_gib} GiB file")
    path, sha = make_file(work, size)
    workers = documents_workers()
    if not workers:
        raise SystemExit("no documents API worker found (is ./scelle up running?)")
    sampler = RssSampler(workers)
    sampler.start()
    log("uploading through the gateway")
    document, up_seconds = platform.upload(folder, path, "aller-retour.bin")
    path.unlink()
    log("downloading through the gateway, hashing as it arrives")
    url = f"{platform.gateway}/api/documents/v1/documents/{document['id']}/content"
    started = time.perf_counter()
    download = subprocess.Popen(platform.curl(url), stdout=subprocess.PIPE)
    digest, received = hashlib.sha256(), 0
    assert download.stdout is not None
    while chunk := download.stdout.read(4 * MIB):
        digest.update(chunk)
        received += len(chunk)
    download.wait()
    down_seconds = time.perf_counter() - started
    peaks = sampler.halt()
    receipt = platform.api("GET", f"/documents/v1/documents/{document['id']}/receipt").json()
    online = platform.api("POST", "/documents/v1/receipts/verification", json=receipt).json()
    keys = platform.api("GET", "/documents/v1/receipt-keys").json()
    (work / "receipt.json").write_text(json.dumps(receipt))
    (work / "keys.json").write_text(json.dumps(keys))
    offline = subprocess.run([str(Path(sys.executable).with_name("scelle-documents")), "receipt", "verify",
                              str(work / "receipt.json"), "--jwks", str(work / "keys.json")],
                             capture_output=True, text=True, check=False)
    hwm = {}
    for pid in workers:
        try:
            hwm[pid] = memory_kib(pid, "VmHWM")
        except OSError:  # gunicorn replaced the worker (it missed its heartbeat on a busy machine)
            pass
    return {
        "size_bytes": size, "sha256_file": sha, "sha256_vault": document["sha256"], "sha256_download": digest.hexdigest(),
        "hashes_match": sha == document["sha256"] == digest.hexdigest() and received == size,
        "receipt_valid_online": online.get("valid"), "receipt_valid_offline": offline.returncode == 0,
        "offline_output": offline.stdout.strip(),
        "upload_mb_per_s": mbps(size, up_seconds), "download_mb_per_s": mbps(size, down_seconds),
        "workers": workers, "peak_rss_sampled_mb": {pid: kib / 1024 for pid, kib in peaks.items()},
        "vm_hwm_mb": {pid: kib / 1024 for pid, kib in hwm.items()},
        "workers_replaced": [pid for pid in workers if pid not in hwm],
        # A replaced worker has no VmHWM left to read: its sampled peak stands in.
        "peak_rss_mb": max([*hwm.values(), *peaks.values()]) / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", default="https://localhost:8443")
    parser.add_argument("--pki", type=Path, default=ROOT / "var" / "pki")
    parser.add_argument("--env-file", type=Path, default=ROOT / "var" / "local" / "stack.env")
    parser.add_argument("--user", default="expert", help="demo certificate (var/pki/users/<user>)")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--zip-files", type=int, default=200)
    parser.add_argument("--zip-file-kib", type=int, default=512)
    parser.add_argument("--roundtrip-gib", type=float, default=None, help="run the N GiB round trip instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    skipped = "SKIPPED: vault_bench.py measures the local platform; start it with SCELLE_GATEWAY_MAX_BODY=3g ./scelle up"
    if not args.env_file.exists():
        print(skipped)
        return 0
    if shutil.which("curl") is None:
        log("needs curl")
        return 2
    env = read_env(args.env_file)
    platform = Platform(args.gateway, args.pki, args.user)
    try:
        platform.api("GET", "/identity/v1/accounts/me").raise_for_status()
    except requests.ConnectionError:
        print(skipped)
        return 0
    except requests.RequestException as error:
        log(f"the gateway does not authenticate the demo {args.user}: {error}")
        return 2
    work = Path(tempfile.mkdtemp(prefix="vault-bench."))
    try:
        if args.roundtrip_gib:
            report: dict[str, Any] = {"roundtrip": roundtrip(args, platform, work)}
            report["target_values"] = {"peak_rss_mb": TARGET_PEAK_RSS_MB}
            report["targets"] = {"peak_rss_under_200_mb": report["roundtrip"]["peak_rss_mb"] < TARGET_PEAK_RSS_MB,
                                 "hashes_match": report["roundtrip"]["hashes_match"],
                                 "receipt_verifies": bool(report["roundtrip"]["receipt_valid_online"]
                                                          and report["roundtrip"]["receipt_valid_offline"])}
        else:
            report = {"throughput": throughput(args, platform, env, work), "zip": zip_download(args, platform)}
            report["target_values"] = {"ratio": TARGET_RATIO, "zip_first_byte_s": TARGET_ZIP_FIRST_BYTE_S}
            report["targets"] = {
                "upload_at_least_60_percent": report["throughput"]["ratio_upload"] >= TARGET_RATIO,
                "download_at_least_60_percent": report["throughput"]["ratio_download"] >= TARGET_RATIO,
                "zip_first_byte_under_1_s": report["zip"]["first_byte_s"] < TARGET_ZIP_FIRST_BYTE_S}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    if "roundtrip" in report:
        r = report["roundtrip"]
        print(f"round trip {r['size_bytes'] / 2**30:.2f} GiB through the gateway: up {r['upload_mb_per_s']:.0f} MB/s, "
              f"down {r['download_mb_per_s']:.0f} MB/s")
        print(f"  hashes match: {r['hashes_match']} ({r['sha256_download'][:16]}…)")
        print(f"  receipt: online {r['receipt_valid_online']}, offline {r['receipt_valid_offline']} ({r['offline_output']})")
        print(f"  documents API workers' peak RSS: {r['peak_rss_mb']:.1f} MB (VmHWM; sampled "
              f"{max(r['peak_rss_sampled_mb'].values()):.1f} MB)")
    else:
        t, z = report["throughput"], report["zip"]
        print(f"{t['size_bytes'] / 2**20:.0f} MiB, best of {t['rounds']} rounds (MB/s):")
        for name in ("vault_up", "direct_up", "vault_down", "direct_down", "direct_down_1_stream"):
            print(f"  {name:<12} {t['mb_per_s'][name]:8.1f}   rounds {t['all_rounds_mb_per_s'][name]}")
        print(f"  upload ratio {t['ratio_upload']:.0%}, download ratio {t['ratio_download']:.0%}")
        print(f"ZIP of {z['files']} × {z['file_bytes'] // 1024} KiB: first byte {z['first_byte_s'] * 1000:.0f} ms, "
              f"{z['mb_per_s']:.0f} MB/s ({z['archive_bytes']} bytes)")
    for name, ok in report["targets"].items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
