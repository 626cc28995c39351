"""Debian's nginx in front of a test's upstream, with the settings we ship.

Each Nginx runs in a directory of its own (prefix, pid, logs, temporary files)
from a minimal nginx.conf that includes deploy/nginx/fjc-http.conf and
fjc-proxy.conf by absolute path, so the tests exercise the shipped files
themselves. docs/reverse-proxy.md describes them.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bench.serving import PROJECT_ROOT, free_port, stop_process_tree
from tests.conftest import UNDER_CI

NGINX = Path("/usr/sbin/nginx")
DEPLOY = PROJECT_ROOT / "deploy" / "nginx"
HTTP_SNIPPET = DEPLOY / "fjc-http.conf"
PROXY_SNIPPET = DEPLOY / "fjc-proxy.conf"
SITE = DEPLOY / "fjc-site.conf"

# Everything nginx writes stays under the prefix; its compiled-in paths are /var/lib/nginx.
MAIN_CONFIG = """\
# Written by tests/faults/proxy.py for one test.
daemon off;
worker_processes 1;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;

events {{
    worker_connections 1024;
}}

http {{
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

{http}
}}
"""

# Plain http on loopback stands in for the TLS server of fjc-site.conf. The
# snippet sends `X-Forwarded-Proto: https` as a literal (not $scheme), so the
# app sees https here too and nothing needs overriding after the include.
PROXY_HTTP = """\
    include {http_snippet};
    # The shipped snippet turns this off: the tests check that the file stays empty.
    access_log {prefix}/access.log;

    upstream fjc_app {{
        server 127.0.0.1:{upstream_port};
    }}

    server {{
        listen 127.0.0.1:{port} default_server;
        include {proxy_snippet};
        location / {{
            proxy_pass http://fjc_app;
        }}
    }}
"""

# The example site names the installed paths; the test points them at the
# repository's snippets and at a throw-away certificate.
SITE_PLACEHOLDERS = {"/etc/nginx/snippets/": f"{DEPLOY}/", "/etc/ssl/fjc/": "{certificates}/"}


def require_nginx() -> None:
    """Skip when nginx is not installed, except under CI, where that is a failure."""
    if NGINX.exists():
        return
    message = f"{NGINX} is missing (apt-get install nginx)"
    if UNDER_CI:
        pytest.fail(f"CI needs nginx for the reverse-proxy tests: {message}")
    pytest.skip(message)


def shipped_seconds(directive: str) -> int:
    """A `directive Ns;` of the shipped snippets, so the tests follow its value."""
    text = HTTP_SNIPPET.read_text() + PROXY_SNIPPET.read_text()
    found = re.search(rf"^{directive}\s+(\d+)s;", text, re.MULTILINE)
    assert found, f"{directive} is not set in seconds in {DEPLOY}"
    return int(found.group(1))


def main_config(prefix: Path, http: str) -> str:
    # As root, nginx would run its workers as `nobody`, who cannot enter pytest's
    # private temporary directory.
    user = "user root;" if os.geteuid() == 0 else ""
    return MAIN_CONFIG.format(prefix=prefix, user=user, http=http)


def check_config(prefix: Path, config: Path) -> None:
    """`nginx -t`: the configuration, the included snippets with it, parses."""
    result = subprocess.run(
        [NGINX, "-t", "-p", prefix, "-c", config, "-e", prefix / "error.log"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, f"nginx -t {config}:\n{result.stderr}"


def start_nginx(prefix: Path, http: str, port: int) -> subprocess.Popen:
    """nginx with `http` in its main configuration (checked first), once it
    listens on `port`; the caller stops it (stop_process_tree)."""
    config = prefix / "nginx.conf"
    config.write_text(main_config(prefix, http))
    check_config(prefix, config)
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [NGINX, "-p", prefix, "-c", config, "-e", prefix / "error.log"]
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return process


def self_signed_certificate(directory: Path) -> None:
    """fullchain.pem and privkey.pem for fjc.example, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fjc.example")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def check_site(prefix: Path) -> None:
    """`nginx -t` on deploy/nginx/fjc-site.conf, with a real (self-signed) certificate."""
    prefix.mkdir(parents=True, exist_ok=True)
    self_signed_certificate(prefix)
    site = SITE.read_text()
    for placeholder, replacement in SITE_PLACEHOLDERS.items():
        assert placeholder in site, f"{SITE} no longer names {placeholder}"
        site = site.replace(placeholder, replacement.format(certificates=prefix))
    (prefix / "fjc-site.conf").write_text(site)
    config = prefix / "nginx.conf"
    config.write_text(main_config(prefix, f"    include {prefix}/fjc-site.conf;"))
    check_config(prefix, config)


class Nginx:
    """nginx on 127.0.0.1:<free port> in front of 127.0.0.1:upstream_port, stopped by stop()."""

    def __init__(self, prefix: Path, *, upstream_port: int, start_timeout: float = 10):
        prefix.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.port = free_port()
        self.access_log = prefix / "access.log"
        self.config = prefix / "nginx.conf"
        http = PROXY_HTTP.format(
            prefix=prefix,
            port=self.port,
            upstream_port=upstream_port,
            http_snippet=HTTP_SNIPPET,
            proxy_snippet=PROXY_SNIPPET,
        )
        self.config.write_text(main_config(prefix, http))
        check_config(prefix, self.config)
        self._output = open(prefix / "nginx.out", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [NGINX, "-p", prefix, "-c", self.config, "-e", prefix / "error.log"],
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up(start_timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited at start:\n{self.error_log_tail()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen in {timeout} s:\n{self.error_log_tail()}")

    def error_log_tail(self, lines: int = 30) -> str:
        path = self.prefix / "error.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        # SIGTERM is nginx's fast shutdown; SIGQUIT would wait for the slow clients.
        stop_process_tree(self.process, timeout=10)
        self._output.close()
