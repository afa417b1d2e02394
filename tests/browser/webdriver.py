"""A tiny W3C WebDriver client for Debian's chromedriver (``requests`` only, no Selenium).

:class:`Chromium` starts ``chromedriver`` on a free port with a private HOME (the NSS database
Chromium reads client certificates from lives in ``$HOME/.pki/nssdb``) and opens one headless
session. It does what the browser tests need: open a URL, find elements, type, click, read the
page's text, save a screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from scelle_common.testing.servers import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C web element identifier
TAB, ENTER = "\ue004", "\ue007"  # W3C WebDriver key codes
HEADLESS_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=fr-FR"]


class WebDriverError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium driven through chromedriver, with ``home`` as its HOME."""

    def __init__(self, home: Path, log: Path) -> None:
        self.home = home
        self.port = free_port()
        self.http = requests.Session()
        self.http.trust_env = False
        env = os.environ | {"HOME": str(home)}
        self._log = open(log, "wb")  # noqa: SIM115 - closed in quit()
        self.process = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}"], env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                break
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise WebDriverError(f"chromedriver did not start: {log.read_text(errors='replace')}")
            time.sleep(0.05)
        options = {"binary": CHROMIUM, "args": [*HEADLESS_ARGS, f"--user-data-dir={home / 'profile'}"]}
        value = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "acceptInsecureCerts": False, "goog:chromeOptions": options}}})
        self.session = value["sessionId"]

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, self.base + path, json=body, timeout=60)
        data = response.json()
        if response.status_code >= 400:
            raise WebDriverError(f"{method} {path}: {data.get('value', data)}")
        return data.get("value")

    def _session(self, method: str, path: str, body: Any = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    @property
    def url(self) -> str:
        return str(self._session("GET", "/url"))

    def text(self) -> str:
        return str(self.script("return document.body ? document.body.innerText : ''"))

    def wait_for_text(self, expected: str, timeout: float = 10) -> str:
        """The page's text once it contains ``expected`` (a click's navigation may still be loading)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if expected in text:
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"« {expected} » never appeared on {self.url}:\n{text}")
            time.sleep(0.1)

    def title(self) -> str:
        return str(self._session("GET", "/title"))

    def script(self, script: str, *args: Any) -> Any:
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css: str) -> str:
        found = self._session("POST", "/element", {"using": "css selector", "value": css})
        if not isinstance(found, dict) or ELEMENT not in found:
            raise WebDriverError(f"no element {css!r}: {found}")
        return str(found[ELEMENT])

    def type(self, css: str, text: str) -> None:
        self._session("POST", f"/element/{self.find(css)}/value", {"text": text})

    def click(self, css: str) -> None:
        self._session("POST", f"/element/{self.find(css)}/click", {})

    def press(self, *keys: str) -> None:
        """Keys pressed on whatever has the focus, as a person would (``TAB``, ``ENTER``)."""
        actions = [action for key in keys for action in ({"type": "keyDown", "value": key}, {"type": "keyUp", "value": key})]
        self._session("POST", "/actions", {"actions": [{"type": "key", "id": "clavier", "actions": actions}]})

    def save_downloads_to(self, directory: Path) -> None:
        """Downloads go to ``directory`` without a dialog (Chromium's DevTools command, through
        chromedriver)."""
        self._session("POST", "/goog/cdp/execute", {"cmd": "Browser.setDownloadBehavior", "params": {
            "behavior": "allow", "downloadPath": str(directory), "eventsEnabled": False}})

    def downloaded(self, directory: Path, suffix: str, timeout: float = 15) -> Path:
        """The first complete file ending in ``suffix`` in ``directory`` (Chromium writes
        ``.crdownload`` until the download is done)."""
        deadline = time.monotonic() + timeout
        while True:
            done = sorted(path for path in directory.glob(f"*{suffix}") if path.is_file())
            if done:
                return done[0]
            if time.monotonic() > deadline:
                raise WebDriverError(f"no *{suffix} downloaded in {directory}: {sorted(directory.iterdir())}")
            time.sleep(0.1)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._session("GET", "/screenshot")))
        return path

    def quit(self) -> None:
        with contextlib.suppress(Exception):
            self._call("DELETE", f"/session/{self.session}")
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
