"""A SAML 2.0 identity provider for the tests, on pysaml2's IdP classes (issue 16).

Runs in its own virtualenv (.venv-idp: pysaml2's pyOpenSSL pin needs a newer cryptography than
the platform's) as a separate process started by a pytest fixture:

    python saml_idp.py --port 8101 --users users.json --state-dir DIR

It signs responses with a key it makes at start-up, trusts any service provider whose metadata
it can fetch from the entity id an AuthnRequest names (the platform's SP entity id is its
metadata address), and offers on its sign-in page the test users of ``users.json``
(``{"anna": {"mail": ..., "givenName": ..., "sn": ..., "municipalityCode": ...}}``) and how to
answer: normally, with the assertion altered after signing (``tampered``), already expired
(``expired``), or encrypted to the SP's key (``encrypted``). ``/events`` lists what happened
(sign-ins and single sign-outs) as JSON; ``/slo/initiate`` signs out from the IdP's side.
"""

import argparse
import base64
import datetime
import html
import json
import secrets
import sys
import tempfile
import threading
import urllib.request
import zlib
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server
from xml.etree import ElementTree

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, xmldsig
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"


def key_and_certificate(directory: Path) -> tuple[str, str]:
    """A fresh RSA key and self-signed certificate, written as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / "idp.key", directory / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


class IdentityProvider:
    def __init__(self, *, base: str, users: dict, state_dir: Path):
        self.base = base
        self.users = users
        self.state_dir = state_dir
        self.key_file, self.cert_file = key_and_certificate(state_dir)
        self.sp_metadata: dict[str, str] = {}  # SP entity id -> metadata file
        self.pending: dict[str, tuple] = {}  # our token -> (request, relay state, sp)
        self.sessions: dict[str, dict] = {}  # IdP session cookie -> signed-in user
        self.events: list[dict] = []
        self.lock = threading.Lock()
        self.server = self._server()

    def _config(self, lifetime_minutes: int = 5) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": f"{self.base}/metadata",
                "service": {
                    "idp": {
                        "name": "Test IdP",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)
                            ],
                            "single_logout_service": [
                                (f"{self.base}/slo/redirect", BINDING_HTTP_REDIRECT)
                            ],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": False,
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": lifetime_minutes},
                                "name_form": NAME_FORMAT_URI,
                                "attribute_restrictions": None,
                            }
                        },
                    }
                },
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "metadata": {"local": list(self.sp_metadata.values())},
            }
        )
        return config

    def _server(self, lifetime_minutes: int = 5) -> Server:
        return Server(config=self._config(lifetime_minutes))

    def metadata(self) -> str:
        metadata = create_metadata_string(None, config=self._config(), valid=1)
        return metadata.decode() if isinstance(metadata, bytes) else metadata

    def sp_trust(self, entity_id: str) -> None:
        """Fetch the metadata of a service provider named by its entity id, once."""
        if entity_id in self.sp_metadata:
            return
        with urllib.request.urlopen(entity_id, timeout=10) as response:  # noqa: S310
            xml = response.read()
        path = self.state_dir / f"sp-{len(self.sp_metadata)}.xml"
        path.write_bytes(xml)
        self.sp_metadata[entity_id] = str(path)
        self.server = self._server()

    # -- pages -----------------------------------------------------------------------------

    def sso(self, query: dict) -> tuple[str, list, str]:
        saml_request = query["SAMLRequest"][0]
        issuer = ElementTree.fromstring(zlib.decompress(base64.b64decode(saml_request), -15))
        sp = issuer.find(f"{SAML}Issuer").text
        self.sp_trust(sp)
        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        token = secrets.token_urlsafe(16)
        self.pending[token] = (request.message, query.get("RelayState", [""])[0], sp)
        options = "".join(
            f'<li><label><input type="radio" name="user" value="{html.escape(uid)}"'
            f"{' checked' if i == 0 else ''}> {html.escape(attrs.get('mail', uid))}</label></li>"
            for i, (uid, attrs) in enumerate(self.users.items())
        )
        body = f"""<!doctype html><html lang="en"><head><title>Test IdP</title></head><body>
<main><h1>Test IdP: sign in</h1><form method="post" action="/sso/login">
<input type="hidden" name="token" value="{token}">
<fieldset><legend>User</legend><ul>{options}</ul></fieldset>
<label for="mode">Answer</label><select id="mode" name="mode">
<option value="normal">normal</option><option value="tampered">tampered</option>
<option value="expired">expired</option><option value="encrypted">encrypted</option></select>
<button type="submit">Sign in at the IdP</button></form></main></body></html>"""
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], body

    def sso_login(self, form: dict) -> tuple[str, list, str]:
        request, relay_state, sp = self.pending.pop(form["token"][0])
        uid = form["user"][0]
        mode = form.get("mode", ["normal"])[0]
        attributes = self.users[uid]
        if mode == "encrypted":
            # The SP's metadata again: the encryption key it names depends on its settings.
            self.sp_metadata.pop(sp, None)
            self.sp_trust(sp)
        server = self._server(lifetime_minutes=-10) if mode == "expired" else self.server
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"persistent-{uid}")
        acs = server.config.metadata.assertion_consumer_service(sp, binding=BINDING_HTTP_POST)
        response = server.create_authn_response(
            {k: [v] for k, v in attributes.items()},
            in_response_to=request.id,
            destination=acs[0]["location"],
            sp_entity_id=sp,
            name_id=name_id,
            sign_response=True,
            sign_assertion=True,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            session_not_on_or_after=None,
            sign_alg=xmldsig.SIG_RSA_SHA256,
            digest_alg=xmldsig.DIGEST_SHA256,
            # Encrypted to the key in the SP's metadata (Sweden Connect's framework wants it).
            encrypt_assertion=mode == "encrypted",
            encrypt_assertion_self_contained=False,
        )
        xml = str(response)
        if mode == "tampered":
            # Changed after signing: the digests no longer match what was signed.
            xml = xml.replace(attributes["sn"], attributes["sn"] + "x")
        encoded = base64.b64encode(xml.encode()).decode()
        session = secrets.token_urlsafe(16)
        self.sessions[session] = {"user": uid, "name_id": name_id.text, "sp": sp}
        self.events.append({"event": "sign-in", "user": uid, "mode": mode, "sp": sp})
        body = f"""<!doctype html><html lang="en"><head><title>Test IdP</title></head><body>
<main><h1>Test IdP: signed in</h1>
<form method="post" action="{html.escape(acs[0]["location"])}">
<input type="hidden" name="SAMLResponse" value="{encoded}">
<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">
<button type="submit">Continue to the service</button></form></main></body></html>"""
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", f"idp_session={session}; Path=/; HttpOnly"),
        ]
        return "200 OK", headers, body

    def slo_initiate(self, cookies: SimpleCookie) -> tuple[str, list, str]:
        """IdP-initiated single sign-out: the person signs out at the IdP, which sends a signed
        LogoutRequest (HTTP-Redirect) to the service provider they signed in to."""
        session = cookies.get("idp_session")
        signed_in = self.sessions.pop(session.value, None) if session else None
        if signed_in is None:
            return "400 Bad Request", [("Content-Type", "text/plain")], "no session at the IdP"
        sp = signed_in["sp"]
        destination = self.server.config.metadata.single_logout_service(
            sp, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        _id, request = self.server.create_logout_request(
            destination,
            issuer_entity_id=sp,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=signed_in["name_id"]),
            sign=False,  # HTTP-Redirect carries its signature in the query (below)
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, "", sigalg=xmldsig.SIG_RSA_SHA256
        )
        self.events.append({"event": "idp-sign-out", "name_id": signed_in["name_id"], "sp": sp})
        return "302 Found", [("Location", dict(info["headers"])["Location"])], ""

    def slo(self, query: dict, cookies: SimpleCookie) -> tuple[str, list, str]:
        if "SAMLResponse" in query:
            # The service provider's answer to an IdP-initiated sign-out.
            response = self.server.parse_logout_request_response(
                query["SAMLResponse"][0], BINDING_HTTP_REDIRECT
            )
            status = response.response.status.status_code.value
            self.events.append({"event": "sign-out-answered", "status": status})
            body = (
                '<!doctype html><html lang="en"><head><title>Test IdP</title></head>'
                "<body><main><h1>Test IdP: signed out everywhere</h1></main></body></html>"
            )
            return "200 OK", [("Content-Type", "text/html; charset=utf-8")], body
        if "SAMLRequest" not in query:
            return "400 Bad Request", [("Content-Type", "text/plain")], "no SAMLRequest"
        request = self.server.parse_logout_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
        session = cookies.get("idp_session")
        if session:
            self.sessions.pop(session.value, None)
        self.events.append(
            {"event": "sign-out", "name_id": message.name_id.text, "sp": message.issuer.text}
        )
        response = self.server.create_logout_response(message, [BINDING_HTTP_REDIRECT])
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            self.server.config.metadata.single_logout_service(
                message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
            )[0]["location"],
            query.get("RelayState", [""])[0],
            response=True,
            sigalg=xmldsig.SIG_RSA_SHA256,
        )
        location = dict(info["headers"])["Location"]
        return "302 Found", [("Location", location)], ""

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        cookies = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        try:
            with self.lock:
                if path == "/metadata":
                    result = ("200 OK", [("Content-Type", "text/xml")], self.metadata())
                elif path == "/sso/redirect":
                    result = self.sso(query)
                elif path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
                    length = int(environ.get("CONTENT_LENGTH") or 0)
                    form = parse_qs(environ["wsgi.input"].read(length).decode())
                    result = self.sso_login(form)
                elif path == "/slo/redirect":
                    result = self.slo(query, cookies)
                elif path == "/slo/initiate":
                    result = self.slo_initiate(cookies)
                elif path == "/events":
                    result = (
                        "200 OK",
                        [("Content-Type", "application/json")],
                        json.dumps(self.events),
                    )
                else:
                    result = ("404 Not Found", [("Content-Type", "text/plain")], "not found")
        except Exception as e:  # noqa: BLE001 - a test IdP shows the error to the test
            result = ("500 Internal Server Error", [("Content-Type", "text/plain")], repr(e))
            print(f"saml idp: {e!r}", file=sys.stderr)  # noqa: T201
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
    parser.add_argument("--state-dir", default="")
    args = parser.parse_args()
    state_dir = Path(args.state_dir or tempfile.mkdtemp(prefix="saml-idp-"))
    idp = IdentityProvider(
        base=f"http://{args.host}:{args.port}",
        users=json.loads(Path(args.users).read_text()),
        state_dir=state_dir,
    )
    with make_server(args.host, args.port, idp, handler_class=QuietHandler) as httpd:
        print(f"saml idp ready on {args.host}:{args.port}", flush=True)  # noqa: T201
        httpd.serve_forever()


if __name__ == "__main__":
    main()
