"""A small Cloud Signature Consortium API (v1) service for the tests: the endpoints pyHanko's CSC
signer and documents/keys/remote.py call, signing hashes with a key from the development CA.

auth/login (HTTP Basic: client ID and secret) -> bearer token; credentials/info -> the chain;
credentials/authorize (PIN, the hashes) -> activation data (SAD) bound to those hashes;
signatures/signHash (SAD, hashes) -> PKCS#1 v1.5 signatures. SCAL 2, one signature per SAD."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils

SHA256_WITH_RSA = "1.2.840.113549.1.1.11"
SHA256 = "2.16.840.1.101.3.4.2.1"


@dataclass
class CscService:
    key: object
    chain: list  # cryptography certificates, the signer's first
    credential_id: str = "cred-lanhdao"
    pin: str = "123456"
    client_id: str = "portal"
    client_secret: str = "portal-secret"
    tokens: set = field(default_factory=set)
    sads: dict = field(default_factory=dict)  # SAD -> hashes it may sign
    calls: list = field(default_factory=list)
    url: str = ""

    def handle(self, endpoint: str, body: dict, headers) -> tuple[int, dict]:
        self.calls.append(endpoint)
        if endpoint == "auth/login":
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if headers.get("Authorization") != f"Basic {expected}":
                return 401, {"error": "invalid_client"}
            token = secrets.token_hex(8)
            self.tokens.add(token)
            return 200, {"access_token": token, "expires_in": 3600}
        bearer = (headers.get("Authorization") or "").removeprefix("Bearer ")
        if bearer not in self.tokens:
            return 401, {"error": "invalid_token", "error_description": "Not logged in"}
        if body.get("credentialID") != self.credential_id:
            return 400, {"error": "invalid_request", "error_description": "Unknown credential"}
        if endpoint == "credentials/info":
            der = [c.public_bytes(serialization.Encoding.DER) for c in self.chain]
            return 200, {
                "key": {"status": "enabled", "algo": [SHA256_WITH_RSA], "len": 2048},
                "cert": {
                    "status": "valid",
                    "certificates": [base64.b64encode(d).decode() for d in der],
                },
                "authMode": "explicit",
                "SCAL": "2",
                "multisign": 1,
            }
        if endpoint == "credentials/authorize":
            if body.get("PIN") != self.pin:
                return 400, {"error": "invalid_pin", "error_description": "Invalid PIN"}
            sad = secrets.token_hex(8)
            self.sads[sad] = list(body.get("hash") or [])
            return 200, {"SAD": sad, "expiresIn": 300}
        if endpoint == "signatures/signHash":
            allowed = self.sads.pop(body.get("SAD"), None)
            if allowed is None or allowed != body.get("hash"):
                return 400, {"error": "invalid_request", "error_description": "Invalid SAD"}
            if body.get("signAlgo") != SHA256_WITH_RSA or body.get("hashAlgo") != SHA256:
                return 400, {"error": "invalid_request", "error_description": "Unsupported algo"}
            signatures = [
                base64.b64encode(
                    self.key.sign(
                        base64.b64decode(h), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
                    )
                ).decode()
                for h in body["hash"]
            ]
            return 200, {"signatures": signatures}
        return 404, {"error": "invalid_request", "error_description": "Unknown endpoint"}


def serve(service: CscService) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = {}
            endpoint = self.path.removeprefix("/csc/v1/")
            status, data = service.handle(endpoint, body, self.headers)
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
