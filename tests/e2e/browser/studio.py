"""A stand-in for SageMaker Studio's host: HTTPS on 127.0.0.1 with a certificate made here.

Chromium reaches it for the Studio host of the presigned URLs (`--host-resolver-rules` maps
`*.studio.<region>.sagemaker.aws` to it) and trusts its certificate alone
(`--ignore-certificate-errors-spki-list` with its key's hash), so the test sees the browser
actually land on the presigned URL, query and all."""

from __future__ import annotations

import base64
import datetime
import hashlib
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class FakeStudio:
    host_pattern: str  # e.g. *.studio.us-east-1.sagemaker.aws
    requests: list[tuple[str, str]] = field(default_factory=list)  # (Host, path with query)
    port: int = 0
    spki: str = ""  # base64 SHA-256 of the certificate's public key
    _server: ThreadingHTTPServer | None = None
    _dir: tempfile.TemporaryDirectory[str] | None = None

    def _certificate(self, folder: Path) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.host_pattern)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(self.host_pattern)]), critical=False)
            .sign(key, hashes.SHA256())
        )
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.spki = base64.b64encode(hashlib.sha256(spki).digest()).decode()
        cert_path, key_path = folder / "studio.crt", folder / "studio.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cert_path, key_path

    def start(self) -> FakeStudio:
        studio = self
        self._dir = tempfile.TemporaryDirectory(prefix="fake-studio-")
        cert_path, key_path = self._certificate(Path(self._dir.name))

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                studio.requests.append((self.headers.get("Host", ""), self.path))
                body = b"<!doctype html><title>Studio (stand-in)</title><h1 id='studio'>SageMaker Studio</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def chromium_flags(self) -> tuple[str, ...]:
        return (
            f"--host-resolver-rules=MAP {self.host_pattern} 127.0.0.1:{self.port}",
            f"--ignore-certificate-errors-spki-list={self.spki}",
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
