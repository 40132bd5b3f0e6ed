"""An OpenID Connect provider for the tests (issue 16): authorization code flow with PKCE,
ID tokens signed with RS256 by joserfc, discovery, JWKS, userinfo and RP-initiated logout.

Runs as a separate process started by a pytest fixture (in .venv-idp, beside the SAML IdP):

    python oidc_provider.py --port 8102 --users users.json --clients clients.json

``clients.json``: ``{"client-id": {"secret": ..., "redirect_uris": [...]}}``; ``users.json`` as
for the SAML IdP, with OpenID claim names (``email``, ``given_name``, ``family_name`` and any
other claim, e.g. ``municipalityCode``). The sign-in page lets the test choose the user and how
the ID token is made: ``normal``, ``bad-signature`` (signed by another key), ``wrong-audience``,
``wrong-issuer``, ``expired``, or ``old-nonce`` (the nonce of an earlier sign-in: a replay).
``/events`` lists sign-ins and sign-outs as JSON.
"""

import argparse
import base64
import hashlib
import html
import json
import secrets
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

from joserfc import jwt
from joserfc.jwk import RSAKey

MODES = ["normal", "bad-signature", "wrong-audience", "wrong-issuer", "expired", "old-nonce"]


class Provider:
    def __init__(self, *, issuer: str, users: dict, clients: dict):
        self.issuer = issuer
        self.users = users
        self.clients = clients
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}  # access token -> user id
        self.nonces: list[str] = []
        self.events: list[dict] = []
        self.lock = threading.Lock()

    def configuration(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
        }

    def authorize_page(self, query: dict) -> tuple:
        client_id = query.get("client_id", [""])[0]
        redirect_uri = query.get("redirect_uri", [""])[0]
        client = self.clients.get(client_id)
        if not client or redirect_uri not in client["redirect_uris"]:
            return "400 Bad Request", [("Content-Type", "text/plain")], "unknown client or redirect"
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v[0])}">'
            for k, v in query.items()
        )
        users = "".join(
            f'<li><label><input type="radio" name="user" value="{html.escape(uid)}"'
            f"{' checked' if i == 0 else ''}> {html.escape(claims['email'])}</label></li>"
            for i, (uid, claims) in enumerate(self.users.items())
        )
        modes = "".join(f'<option value="{m}">{m}</option>' for m in MODES)
        body = f"""<!doctype html><html lang="en"><head><title>Test OP</title></head><body>
<main><h1>Test OpenID provider: sign in</h1><form method="post" action="/authorize">{hidden}
<fieldset><legend>User</legend><ul>{users}</ul></fieldset>
<label for="mode">ID token</label><select id="mode" name="mode">{modes}</select>
<button type="submit">Sign in at the provider</button></form></main></body></html>"""
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], body

    def authorize(self, form: dict) -> tuple:
        get = {k: v[0] for k, v in form.items()}
        client = self.clients.get(get.get("client_id", ""))
        if not client or get.get("redirect_uri") not in client["redirect_uris"]:
            return "400 Bad Request", [("Content-Type", "text/plain")], "unknown client or redirect"
        code = secrets.token_urlsafe(24)
        self.codes[code] = {**get, "issued": time.time()}
        nonce = get.get("nonce")
        if nonce:
            self.nonces.append(nonce)
        self.events.append({"event": "sign-in", "user": get["user"], "mode": get["mode"]})
        location = get["redirect_uri"] + "?" + urlencode({"code": code, "state": get["state"]})
        return "302 Found", [("Location", location)], ""

    def _client_authenticated(self, environ, form: dict) -> str | None:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if auth.startswith("Basic "):
            from urllib.parse import unquote

            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            client_id, secret = unquote(client_id), unquote(secret)
        else:
            client_id = form.get("client_id", [""])[0]
            secret = form.get("client_secret", [""])[0]
        client = self.clients.get(client_id)
        if client and secrets.compare_digest(client["secret"], secret):
            return client_id
        return None

    def token(self, environ, form: dict) -> tuple:
        client_id = self._client_authenticated(environ, form)
        if not client_id:
            return self._json({"error": "invalid_client"}, "401 Unauthorized")
        grant = self.codes.pop(form.get("code", [""])[0], None)
        if (
            not grant
            or grant["client_id"] != client_id
            or grant["redirect_uri"] != form.get("redirect_uri", [""])[0]
        ):
            return self._json({"error": "invalid_grant"}, "400 Bad Request")
        if "code_challenge" in grant:
            verifier = form.get("code_verifier", [""])[0]
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if challenge != grant["code_challenge"]:
                return self._json({"error": "invalid_grant"}, "400 Bad Request")
        uid, mode = grant["user"], grant["mode"]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": f"sub-{uid}",
            "aud": client_id,
            "iat": now,
            "exp": now + 300,
            **self.users[uid],
        }
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        key = self.key
        if mode == "bad-signature":
            key = self.other_key
        elif mode == "wrong-audience":
            claims["aud"] = "someone-else"
        elif mode == "wrong-issuer":
            claims["iss"] = "http://evil.example"
        elif mode == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif mode == "old-nonce" and len(self.nonces) >= 2:
            claims["nonce"] = self.nonces[-2]
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = uid
        return self._json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )

    def userinfo(self, environ) -> tuple:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        uid = self.tokens.get(auth.removeprefix("Bearer "))
        if not uid:
            return self._json({"error": "invalid_token"}, "401 Unauthorized")
        return self._json({"sub": f"sub-{uid}", **self.users[uid]})

    def logout(self, query: dict) -> tuple:
        client_id = query.get("client_id", [""])[0]
        target = query.get("post_logout_redirect_uri", [""])[0]
        self.events.append({"event": "sign-out", "client_id": client_id})
        client = self.clients.get(client_id)
        if target and client and target in client.get("post_logout_redirect_uris", []):
            return "302 Found", [("Location", target)], ""
        return "200 OK", [("Content-Type", "text/plain")], "signed out"

    @staticmethod
    def _json(data, status="200 OK") -> tuple:
        return status, [("Content-Type", "application/json")], json.dumps(data)

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        form = {}
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode())
        try:
            with self.lock:
                if path == "/.well-known/openid-configuration":
                    result = self._json(self.configuration())
                elif path == "/jwks":
                    result = self._json({"keys": [self.key.as_dict(private=False)]})
                elif path == "/authorize" and method == "GET":
                    result = self.authorize_page(query)
                elif path == "/authorize":
                    result = self.authorize(form)
                elif path == "/token" and method == "POST":
                    result = self.token(environ, form)
                elif path == "/userinfo":
                    result = self.userinfo(environ)
                elif path == "/logout":
                    result = self.logout(query)
                elif path == "/events":
                    result = self._json(self.events)
                else:
                    result = ("404 Not Found", [("Content-Type", "text/plain")], "not found")
        except Exception as e:  # noqa: BLE001 - a test provider shows the error to the test
            result = ("500 Internal Server Error", [("Content-Type", "text/plain")], repr(e))
            print(f"oidc provider: {e!r}", file=sys.stderr)  # noqa: T201
        status, headers, body = result
        start_response(status, headers)
        return [body.encode()]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--users", required=True)
    parser.add_argument("--clients", required=True)
    args = parser.parse_args()
    provider = Provider(
        issuer=f"http://{args.host}:{args.port}",
        users=json.loads(Path(args.users).read_text()),
        clients=json.loads(Path(args.clients).read_text()),
    )
    with make_server(args.host, args.port, provider, handler_class=QuietHandler) as httpd:
        print(f"oidc provider ready on {args.host}:{args.port}", flush=True)  # noqa: T201
        httpd.serve_forever()


if __name__ == "__main__":
    main()
