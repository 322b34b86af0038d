"""smm's HTTP clients verify the server's certificate against one TLS context per process: a
self-signed server is refused, trusted once `SSL_CERT_FILE` names its certificate, and the CA bundle
is read once however many clients (accounts, instances asked for their limit) a run makes."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import subprocess
import sys
import threading

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate: (its URL, the certificate's file)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}/", cert_file
    httpd.shutdown()
    httpd.server_close()


FETCH = """
import sys
from smm.platforms import http
try:
    print(http.client().get(sys.argv[1]).text)
except Exception as exc:
    print(type(exc).__name__)
"""


@pytest.mark.parametrize("trusted,expected", [(False, "ConnectError"), (True, "hello")])
def test_a_server_is_trusted_only_by_its_certificate(server, monkeypatch, trusted, expected):
    url, cert_file = server
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    else:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    done = subprocess.run([sys.executable, "-c", FETCH, url], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == expected, done.stderr


COUNT = """
import ssl, sys
made = []
original = ssl.create_default_context
ssl.create_default_context = lambda *a, **k: made.append(1) or original(*a, **k)
from smm.platforms import http
for _ in range(10):
    with http.client() as session:
        session.get(sys.argv[1])
http.bounded_transport("Bluesky").close()
print(len(made))
"""


def test_the_ca_bundle_is_read_once_for_every_client_of_a_run(server, monkeypatch):
    url, cert_file = server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    done = subprocess.run([sys.executable, "-c", COUNT, url], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "1", done.stderr
