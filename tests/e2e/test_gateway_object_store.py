"""The vault's download offload location is rendered only when an object store is configured."""

from __future__ import annotations

import subprocess

from tests.e2e.harness import NGINX, render


def rendered(tmp_path, pki, object_store: str) -> str:
    config = render.GatewayConfig(out_dir=tmp_path, pki_dir=pki.out, object_store=object_store,
                                  services=[render.Service("identity", 8101), render.Service("documents", 8103)])
    path = render.render(config)
    check = subprocess.run([NGINX, "-t", "-q", "-c", str(path), "-p", str(config.out_dir)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    return path.read_text()


def test_the_offload_location_is_internal_and_signs_for_the_object_store_host(tmp_path, pki):
    text = rendered(tmp_path, pki, "127.0.0.1:8130")
    block = text[text.index("location /_scelle/s3/"):]
    block = block[: block.index("}")]
    assert "internal;" in block
    assert "proxy_pass http://127.0.0.1:8130/;" in block
    assert "proxy_set_header Host 127.0.0.1:8130;" in block
    assert 'proxy_set_header X-Scelle-Principal "";' in block


def test_without_an_object_store_there_is_no_offload_location(tmp_path, pki):
    assert "location /_scelle/s3/" not in rendered(tmp_path, pki, "")
