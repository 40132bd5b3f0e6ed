"""Real identity providers for the federation tests (issue 16), started by the test run.

Both run from their own virtualenv (`.venv-idp`, made by `make .venv-idp/.installed`: pysaml2's
pyOpenSSL pin needs a newer cryptography than the platform's range) as separate processes on
127.0.0.1 -- another site than the live server's "localhost", as an organisation's IdP is:
- a SAML 2.0 IdP on pysaml2's IdP classes (idp/saml_idp.py), needing Debian's xmlsec1;
- an OpenID Connect provider (idp/oidc_provider.py; ID tokens signed by joserfc).
Under CI=true a missing virtualenv or xmlsec1 fails the run (tests/conftest.py).
"""

import datetime
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, service_missing

IDP_PYTHON = ROOT / ".venv-idp" / "bin" / "python"
IDP_DIR = Path(__file__).resolve().parent / "idp"
HOST = "127.0.0.1"

# The people at the identity providers. Anna works in Malmö (municipality code 1280), Erik in
# Lund (1281); Sara is at the region's OpenID Connect provider.
SAML_USERS = {
    "anna": {
        "mail": "anna.lind@malmo.example",
        "givenName": "Anna",
        "sn": "Lind",
        "municipalityCode": "1280",
    },
    "erik": {
        "mail": "erik.berg@lund.example",
        "givenName": "Erik",
        "sn": "Berg",
        "municipalityCode": "1281",
    },
    "olle": {
        "mail": "olle@nowhere.example",
        "givenName": "Olle",
        "sn": "Utan",
        "municipalityCode": "0114",
    },
    # An elected official with e-ID only (as Sweden Connect signs in): no e-mail address.
    "elsa": {"givenName": "Elsa", "sn": "Eid", "municipalityCode": "1280"},
    "nils": {"givenName": "Nils", "sn": "Eid", "municipalityCode": "1281"},
}
OIDC_USERS = {
    "sara": {
        "email": "sara.holm@skane.example",
        "email_verified": True,
        "given_name": "Sara",
        "family_name": "Holm",
    },
    "lena": {
        "email": "lena@example.org",
        "email_verified": True,
        "given_name": "Lena",
        "family_name": "Lokal",
    },
}
OIDC_CLIENT_ID = "folkhalsa-test"
OIDC_CLIENT_SECRET = "oidc-test-secret-not-used-anywhere-else"
SAML_SLUG = "skane-kommuner"
OIDC_SLUG = "region-skane"
# Attribute names as the test SAML IdP releases them (pysaml2 maps friendly names to OIDs).
SAML_MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
SAML_GIVEN_NAME = "urn:oid:2.5.4.42"
SAML_SURNAME = "urn:oid:2.5.4.4"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class IdpProcess:
    def __init__(self, script: str, *args: str):
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix=f"{script}-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [str(IDP_PYTHON), str(IDP_DIR / script), "--host", HOST, "--port", str(self.port)]
            + list(args),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{script} did not start: {Path(self.log.name).read_text()}")

    def events(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.base}/events", timeout=5) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _idp_available() -> None:
    if not IDP_PYTHON.exists():
        service_missing(f"the IdP virtualenv is missing ({IDP_PYTHON}): make .venv-idp/.installed")
    if not shutil.which("xmlsec1"):
        service_missing("xmlsec1 is not installed (apt-get install xmlsec1)")


def _write_json(data) -> str:
    handle = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(data, handle)
    handle.close()
    return handle.name


@pytest.fixture(scope="session")
def saml_idp():
    _idp_available()
    idp = IdpProcess("saml_idp.py", "--users", _write_json(SAML_USERS))
    yield idp
    idp.stop()


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    _idp_available()
    callback = f"{live_server.url}/federation/oidc/{OIDC_SLUG}/login/callback/"
    clients = {
        OIDC_CLIENT_ID: {
            "secret": OIDC_CLIENT_SECRET,
            "redirect_uris": [callback],
            "post_logout_redirect_uris": [f"{live_server.url}/sv/", f"{live_server.url}/en/"],
        }
    }
    provider = IdpProcess(
        "oidc_provider.py", "--users", _write_json(OIDC_USERS), "--clients", _write_json(clients)
    )
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def sp_keys():
    """The SAML service provider's key and certificate, as an installation sets them in the
    environment (FEDERATION_SAML_SP_CERTIFICATE / _PRIVATE_KEY), for the whole run."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from django.test import override_settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Folkhälsoakademin test SP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    overrides = override_settings(
        FEDERATION_SAML_SP_CERTIFICATE=certificate.public_bytes(
            serialization.Encoding.PEM
        ).decode(),
        FEDERATION_SAML_SP_PRIVATE_KEY=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        # The live server answers as "localhost", a single-label host.
        FEDERATION_SAML_ALLOW_SINGLE_LABEL_DOMAINS=True,
    )
    overrides.enable()
    yield
    overrides.disable()


@pytest.fixture
def saml_provider(site, saml_idp, sp_keys):
    """A SAML provider serving Malmö and Lund, the organisation from the municipality code."""
    from elearning.federation.models import IdentityProvider
    from elearning.organisations.models import Organisation

    row = IdentityProvider.objects.create(
        kind=IdentityProvider.Kind.SAML,
        name="Skånes kommuner",
        slug=SAML_SLUG,
        organisation_from=IdentityProvider.OrganisationFrom.CLAIM,
        organisation_attribute="municipalityCode",
        saml_metadata_url=f"{saml_idp.base}/metadata",
        email_attribute=SAML_MAIL,
        given_name_attribute=SAML_GIVEN_NAME,
        family_name_attribute=SAML_SURNAME,
    )
    served = Organisation.objects.filter(kind="municipality", code__in=["1280", "1281"])
    row.organisations.set(served)
    return row


@pytest.fixture
def oidc_provider_row(site, oidc_provider):
    """An OpenID Connect provider for Region Skåne, its people always in the region."""
    from elearning.federation.models import IdentityProvider
    from elearning.organisations.models import Organisation

    region = Organisation.objects.get(kind="region", code="12")
    row = IdentityProvider(
        kind=IdentityProvider.Kind.OIDC,
        name="Region Skåne",
        slug=OIDC_SLUG,
        organisation_from=IdentityProvider.OrganisationFrom.FIXED,
        organisation=region,
        oidc_issuer=oidc_provider.base,
        oidc_client_id=OIDC_CLIENT_ID,
    )
    row.oidc_client_secret = OIDC_CLIENT_SECRET
    row.save()
    row.organisations.set([region])
    return row
