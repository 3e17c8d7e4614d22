#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A loopback stand-in for the Profile API v4 (M2M token endpoint + test endpoint), its RFC 9728 /
# RFC 8414 metadata and a standard OAuth token endpoint, for tests/cli/run.sh.
#   fake_server.py PORT_FILE CLIENT_ID CLIENT_SECRET
# Writes the port it listens on (127.0.0.1, chosen by the OS) to PORT_FILE, then serves until
# killed. Control: GET /control/stats (counts and issued tokens), POST /control/reject-next
# (the next Bearer token presented to /api/v4/test is answered 401 invalid_token once).
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus

PORT_FILE, CLIENT_ID, CLIENT_SECRET = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
state = {"auth": 0, "oauth_token": 0, "test": 0, "issued": [], "all_issued": [], "last_request": {},
         "reject_next": False}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(origin: str, n: int) -> str:
    now = int(time.time())
    header = {"alg": "HS256", "typ": "at+jwt", "kid": "cli-test-key"}
    claims = {"iss": origin, "sub": CLIENT_ID, "aud": origin + "/api/v4", "iat": now,
              "exp": now + 3600, "scope": "read write", "role": "manager", "n": n}
    return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()),
                     b64url(b"not-a-real-signature-%d" % n)])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: run.sh prints what matters
        pass

    def origin(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def reply(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def issue(self):
        with lock:
            n = len(state["all_issued"]) + 1
            tok = make_jwt(self.origin(), n)
            state["issued"].append(tok)
            state["all_issued"].append(tok)
        return {"access_token": tok, "token_type": "Bearer", "expires_in": 3600}

    def bad_client(self, secret):
        # A careless server that quotes the secret it was sent: the tool must not print it.
        return self.reply(401, {"error": "invalid_client",
                                "error_description": "client_secret '%s' is wrong" % secret})

    def challenge(self):
        return ('Bearer error="invalid_token", resource_metadata="%s'
                '/.well-known/oauth-protected-resource/api/v4"' % self.origin())

    def do_GET(self):
        o = self.origin()
        if self.path == "/control/stats":
            with lock:
                return self.reply(200, {k: state[k] for k in ("auth", "oauth_token", "test",
                                                              "all_issued", "last_request")})
        if self.path == "/api/v4/test":
            return self.reply(401, {"code": 401, "status": "error"},
                              {"WWW-Authenticate": self.challenge()})
        if self.path == "/.well-known/oauth-protected-resource/api/v4":
            return self.reply(200, {"resource": o + "/api/v4", "authorization_servers": [o],
                                    "scopes_supported": ["read", "write"],
                                    "bearer_methods_supported": ["header"],
                                    "resource_name": "Fake Profile API"})
        if self.path == "/.well-known/oauth-authorization-server":
            return self.reply(200, {"issuer": o, "token_endpoint": o + "/oauth/token",
                                    "grant_types_supported": ["client_credentials"],
                                    "token_endpoint_auth_methods_supported":
                                        ["client_secret_basic"],
                                    "response_types_supported": ["code"]})
        return self.reply(404, {"code": 404, "status": "error"})

    def do_POST(self):
        raw = self.body()
        if self.path == "/control/reject-next":
            with lock:
                state["reject_next"] = True
            return self.reply(200, {})
        if self.path == "/api/v4/auth":  # Profile v4: JSON body with the credentials
            with lock:
                state["auth"] += 1
            try:
                b = json.loads(raw)
            except ValueError:
                return self.reply(400, {"error": "invalid_request"})
            if b.get("grant_type") != "client_credentials":
                return self.reply(400, {"error": "unsupported_grant_type"})
            if b.get("client_id") != CLIENT_ID or b.get("client_secret") != CLIENT_SECRET:
                return self.bad_client(b.get("client_secret", ""))
            with lock:  # what the request asked for, without the secret
                state["last_request"] = {k: v for k, v in b.items() if k != "client_secret"}
            answer = self.issue()
            if "scope" in b:
                answer["scope"] = b["scope"]
            return self.reply(200, answer)
        if self.path == "/oauth/token":  # RFC 6749: form body, HTTP Basic
            with lock:
                state["oauth_token"] += 1
            form = parse_qs(raw.decode())
            if form.get("grant_type") != ["client_credentials"]:
                return self.reply(400, {"error": "unsupported_grant_type"})
            auth = self.headers.get("Authorization", "")
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                user, pw = "", ""
            if not auth.startswith("Basic ") or unquote_plus(user) != CLIENT_ID or \
                    unquote_plus(pw) != CLIENT_SECRET:
                return self.bad_client(unquote_plus(pw))
            return self.reply(200, self.issue())
        if self.path == "/api/v4/test":
            with lock:
                state["test"] += 1
                auth = self.headers.get("Authorization", "")
                good = auth.startswith("Bearer ") and auth[7:] in state["issued"]
                if good and state["reject_next"]:
                    state["reject_next"] = False
                    state["issued"].remove(auth[7:])
                    good = False
            if not good:
                return self.reply(401, {"code": 401, "status": "error"},
                                  {"WWW-Authenticate": self.challenge()})
            try:
                data = json.loads(raw) if raw else {}
            except ValueError:
                data = {"raw": raw.decode(errors="replace")}
            return self.reply(200, {"code": 200, "data": data, "status": "success"})
        return self.reply(404, {"code": 404, "status": "error"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)  # the rename makes the file appear whole
server.serve_forever()
