"""Settings shared by every environment.

Everything that differs between environments comes from environment variables; the defaults
here are the embedded development set-up (SQLite, a file-system Celery broker, console
e-mail, files under var/). Production (``production.py``) refuses to start without secrets.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_days(name: str, default: int) -> int:
    value = int(os.environ.get(name, str(default)))
    if value < 0:
        raise ValueError(f"{name} is a number of days and cannot be negative")
    return value


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The public address of the site: used in e-mails, xAPI activity ids and certificates.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Certificates are signed with Ed25519 (certificates/signing.py): the current key, and
# the public keys retired by a rotation (their certificates keep verifying). Production requires
# the key; elsewhere one is made once and kept in CERTIFICATE_KEY_FILE.
CERTIFICATE_SIGNING_KEY = os.environ.get("CERTIFICATE_SIGNING_KEY", "")
CERTIFICATE_RETIRED_KEYS = os.environ.get("CERTIFICATE_RETIRED_KEYS", "")
CERTIFICATE_KEY_FILE = VAR_DIR / "certificate-signing-key"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = "Folkhälsoakademin"

INSTALLED_APPS = [
    # Our apps come first so that their templates override Wagtail's and Django's.
    "elearning.accounts",
    "elearning.organisations",
    "elearning.core",
    "courses",
    "quizzes",
    "packages",  # issue 18: SCORM and H5P lessons
    "progress",
    "certificates",
    "xapi",
    "reports",
    "elearning.legal",  # issue 14: accessibility statement, privacy notice, feedback
    "wagtail.contrib.forms",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "elearning.accounts.apps.UsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    # Issue 16: accounts (sign-in, sign-up, e-mail verification, rate limits) and MFA.
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, error pages and static files included.
    "elearning.core.csp.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Issue 18: the package host answers package paths only, the site host never those.
    "packages.middleware.PackageHostMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 16: allauth's request context.
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Issue 16: staff without a second factor kept out of the admin and the reports.
    "elearning.accounts.middleware.StaffMFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "elearning.core.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "elearning.urls"
WSGI_APPLICATION = "elearning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Client addresses behind proxies (elearning/core/client.py) ------------------------------
# Rate limits count per client address. Behind reverse proxies REMOTE_ADDR is the nearest
# proxy, so X-Forwarded-For is read from the right past the proxies trusted here: the number of
# proxies in front of the application (each appends one entry), and/or their addresses or
# networks. Nothing is trusted by default: without a proxy, REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# django-ratelimit counts in the default cache; its app is not installed because its system
# check does not know Django's own (atomic) Redis cache and warns about it.
RATELIMIT_USE_CACHE = "default"

# --- Content-Security-Policy (django-csp 4; elearning/core/csp.py) --------------------------
CSP_500_TEMPLATE = BASE_DIR / "templates" / "500.html"


def _inline_style_hashes(template: Path) -> list[str]:
    """CSP hashes of the <style> elements of a template that has no template tags in them
    (the self-contained 500 page), so the strict policy allows exactly those."""
    import base64
    import hashlib
    import re

    blocks = re.findall(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.S)
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
        for b in blocks
    ]


# The public site runs no JavaScript at all: no script, no plug-in, not framed, forms and
# <base> only to itself; styles from our own stylesheet (and the 500 page's inline one).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'none'"],
        "object-src": ["'none'"],
        "style-src": ["'self'", *_inline_style_hashes(CSP_500_TEMPLATE)],
        "img-src": ["'self'"],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# The Wagtail admin (and the previews it shows in a frame): scripts and styles from this site,
# plus the inline <script> and <style> elements Wagtail 8's own bundle (vendor.js) inserts into
# the page editor, which Chromium reports as violations otherwise (their hashes would change with
# every Wagtail release and page); no eval, nothing from other origins; image uploads previewed
# from data:/blob: URLs; previews framed by the admin itself.
CONTENT_SECURITY_POLICY_ADMIN_PREFIXES = ("/admin/",)
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "object-src": ["'none'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# --- Content packages: SCORM and H5P lessons (issue 18, docs/packages.md) -------------------
# Package files and their runtime are served from a host of their own, which never receives
# the site's cookies: its pages and the site are different origins (and sites), so package
# scripts can neither read the learner's session nor call the site with it. make run's site
# is 127.0.0.1 and its package host localhost; production sets a domain of its own.
PACKAGES_ORIGIN = os.environ.get(
    "PACKAGES_ORIGIN", f"http://localhost:{os.environ.get('PORT', '8000')}"
).rstrip("/")
# Refused on upload: more than this in total unpacked, more files, or a ratio of unpacked to
# packed size above this (a zip bomb).
PACKAGES_MAX_BYTES = int(os.environ.get("PACKAGES_MAX_BYTES", str(500 * 1024 * 1024)))
PACKAGES_MAX_FILES = int(os.environ.get("PACKAGES_MAX_FILES", "5000"))
PACKAGES_MAX_RATIO = int(os.environ.get("PACKAGES_MAX_RATIO", "100"))
# How long a learner's address of a package's files stays valid (seconds).
PACKAGES_TOKEN_MAX_AGE = 12 * 60 * 60

# --- Database ------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user@host:5432/name); without it the embedded
# default is SQLite in WAL mode, so that the web server and the Celery worker can write at
# the same time.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts (django-allauth; issue 16, docs/accounts-and-organisations.md) ---------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# Where allauth lands without a ?next=: the adapter sends people to /sv/ or /en/ (their
# language); these are its fall-backs.
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# At least 12 characters, not the person's name or address, not a common password, and not
# the site's own words (or a common password) dressed up with digits: "Folkhalsa2026".
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("first_name", "last_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "elearning.accounts.passwords.WordAndDigitsValidator"},
]
ACCOUNT_ADAPTER = "elearning.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "elearning.accounts.forms.SignupForm",
    "login": "elearning.accounts.forms.LoginForm",
    "reset_password": "elearning.accounts.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# An account counts (reports, certificates) and may sign in only once its address is proven.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Registration and password reset answer the same for known and unknown addresses; the mail
# tells the owner what happened ("you already have an account", "no account here").
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
# Confirming again before a sensitive step: the password or the second factor. allauth's third
# way, a code by e-mail, has no page here (its default made the confirm page fail with 500).
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# Changing the password ends the person's other sessions (Django's session hash) and keeps
# this one; a reset ends all of them.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Throttling, counted in the default cache per client address (elearning/core/client.py, behind
# the trusted proxies) and per typed address ("key"): five wrong passwords for one address lock
# it for five minutes, whoever tries.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/m/ip",
    "reset_password": "10/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
# Second factor: an authenticator app (TOTP) or a security key / passkey (WebAuthn; its pages
# allow scripts from this site, elearning/accounts/auth_urls.py), with recovery codes. Staff
# must set one up (accounts/middleware.py). A passkey is a second factor here, never a sign-in
# without the password.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_FORMS = {"add_webauthn": "elearning.accounts.forms.AddSecurityKeyForm"}
MFA_TOTP_ISSUER = "Folkhälsoakademin"
STAFF_MFA_REQUIRED = True
# The pages (URL names, their address prefix in every language) staff reach only with TOTP.
STAFF_MFA_REQUIRED_URLS = ["wagtailadmin_home", "reports:overview"]
# The sign-in log (accounts.SignInEvent) is kept this many days.
SIGN_IN_LOG_RETENTION_DAYS = int(os.environ.get("SIGN_IN_LOG_RETENTION_DAYS", "180"))
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = True
# The admin's own password reset is off: resetting goes through the site's (throttled) form.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Addresses change only through the user admin (which marks the new one unproven).
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILADMIN_LOGIN_URL = "account_login"
# No Gravatar: the admin would send a hash of every user's e-mail address to a third party
# (and the admin's Content-Security-Policy loads images from this site only).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the admin's dashboard ask releases.wagtail.org for new versions from every editor's
# browser: upgrades are the operators' business (and the admin connects to this site only).
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Languages -----------------------------------------------------------------------------
# Swedish first, English second, for the interface and the content tree.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static and media files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- E-mail --------------------------------------------------------------------------------
# EMAIL_HOST selects SMTP; without it mail is printed on the console (development).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Folkhälsoakademin <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ---------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "elearning.core.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # Without Redis the cache lives in files under var/, so that the web server and the
        # Celery worker (which publishes scheduled pages) see the same cached values.
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    ),
}
# Template fragments ({% wagtailcache %}, {% wagtailpagecache %}) are kept by each process:
# every fragment's key names what it shows (the page's publication, the course outline's and
# the page tree's versions, the set of done lessons), so a copy is never stale, only unused,
# and a page then asks Redis for the versions only (issue 17). Django's cache tags use this
# alias by name ("template_fragments"; without it, the default cache).
TEMPLATE_FRAGMENTS_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
CACHES["template_fragments"] = TEMPLATE_FRAGMENTS_CACHE
# The signed-in learner's pages, kept whole per learner and state in the default cache
# (progress/pagecache.py, issue 17). Off: every page is rendered (``make bench-lessons``
# measures both ways).
LEARNER_PAGE_CACHE = env_bool("LEARNER_PAGE_CACHE", True)

# --- Celery --------------------------------------------------------------------------------
# All Celery settings sit here (read by elearning/celery.py with the CELERY_ namespace).
# Broker: Redis when REDIS_URL is set; otherwise kombu's file-system transport under var/,
# which needs no server and is enough for one machine running `make run`.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
_CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_CELERY_QUEUE_DIR),
        "data_folder_out": str(_CELERY_QUEUE_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {"visibility_timeout": 3600}
)
# Our tasks write their outcome to database rows; nobody waits on a result.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# JSON only: a task's arguments are ids and plain values, never pickled objects.
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
# A task that hangs (a stuck SMTP server, a slow LRS) is stopped instead of blocking a worker:
# soft limit raises inside the task so it can mark its row; the hard limit kills the process.
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# Acknowledge after the task ran, one message at a time: a worker that dies mid-task leaves
# the message on the broker for another worker instead of losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Periodic jobs, in one place, each with why it runs when it does.
CELERY_BEAT_SCHEDULE = {
    # Authors schedule publishing ("go live at"); Wagtail publishes due revisions only when
    # asked, so ask every minute: a scheduled lesson appears at most a minute late.
    "pages-publish-scheduled": {
        "task": "courses.tasks.pages_publish_scheduled",
        "schedule": crontab(minute="*"),
    },
    # Learners away from a started course for 14 days get one reminder; daily, in the
    # morning of a working day's time zone, so it arrives when people read e-mail.
    "progress-reminders-send": {
        "task": "progress.tasks.reminders_send",
        "schedule": crontab(hour=8, minute=0),
    },
    # Statements whose delivery request was lost (broker down) or whose retry is due; every
    # minute, so an LRS is at most a minute behind once things work again.
    "xapi-statements-sweep": {
        "task": "xapi.tasks.statements_sweep",
        "schedule": crontab(minute="*"),
    },
    # Certificates whose render/e-mail message was lost (broker down, worker killed); every
    # minute, so a learner waits at most a minute longer for their certificate.
    "certificates-sweep": {
        "task": "certificates.tasks.certificates_sweep",
        "schedule": crontab(minute="*"),
    },
    # Managers' monthly digest of the month just ended: on the 1st at 07:00, so the month's
    # figures are complete and the e-mail is there when the working day starts. Idempotent
    # per month (User.digest_sent_for), so a re-run or a second beat sends nothing more.
    "reports-digests-send": {
        "task": "reports.tasks.digests_send",
        "schedule": crontab(day_of_month="1", hour=7, minute=0),
    },
    # The sign-in log keeps SIGN_IN_LOG_RETENTION_DAYS (issue 16); nightly, like sessions.
    "accounts-sign-in-log-prune": {
        "task": "elearning.accounts.tasks.sign_in_log_prune",
        "schedule": crontab(hour=3, minute=40),
    },
    # Expired sessions pile up in the database; once a night, when nobody is learning.
    "sessions-clear": {
        "task": "elearning.core.tasks.sessions_clear",
        "schedule": crontab(hour=3, minute=30),
    },
    # Issue 14: personal data older than the RETENTION_* settings below is erased. Daily at
    # night, when nobody is learning; the periods are in days, so once a day is exact enough.
    "retention-apply": {
        "task": "elearning.core.tasks.retention_apply",
        "schedule": crontab(hour=3, minute=45),
    },
    # Issue 14: accessibility feedback whose e-mails were lost (broker down, worker killed);
    # every 10 minutes, so the administrators and the sender hear of it soon after.
    "legal-feedback-sweep": {
        "task": "elearning.legal.tasks.feedback_sweep",
        "schedule": crontab(minute="*/10"),
    },
}

# --- Sign-in through the organisations' identity providers (issue 16) -----------------------
# SAML 2.0 service provider and OpenID Connect relying party on django-allauth's socialaccount;
# the providers themselves are configured in the Wagtail admin (elearning/federation, see
# docs/accounts-and-organisations.md, "Federation").
INSTALLED_APPS += [
    "elearning.federation",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "allauth.socialaccount.providers.openid_connect",
]
# After the session and the user are known: the identity providers' origins in form-action.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "elearning.federation.middleware.FederationCSPMiddleware",
)
SOCIALACCOUNT_ADAPTER = "elearning.federation.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    # A clear page for a replayed SAML response; the NameID kept for single sign-out.
    "saml": {"provider_class": "elearning.federation.saml.FederatedSAMLProvider"},
    # A nonce in every request and the ID token's signature always checked (oidc.py).
    "openid_connect": {
        "provider_class": "elearning.federation.oidc.FederatedOIDCProvider",
        "OAUTH_PKCE_ENABLED": True,
    },
}
# First sign-in creates the account (just-in-time); the provider vouches for the address it
# releases (verified at once, accounts.verification). A provider that releases none (e-ID via
# Sweden Connect) leads to allauth's sign-up form, which asks for an address; that one is
# confirmed by mail before the account may sign in ("mandatory").
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
SOCIALACCOUNT_FORMS = {"signup": "elearning.federation.forms.AddressSignupForm"}
# Never sign in to (or link) an existing account because a provider sends its address.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# Encrypts the OpenID Connect client secrets at rest (elearning/federation/secrets.py); derived
# from DJANGO_SECRET_KEY when unset.
FEDERATION_SECRETS_KEY = os.environ.get("FEDERATION_SECRETS_KEY", "")


def _pem_from_env(name: str) -> str:
    """A PEM value from NAME, or from the file NAME_FILE names (e.g. a mounted secret)."""
    path = os.environ.get(f"{name}_FILE", "")
    return Path(path).read_text() if path else os.environ.get(name, "")


# The SAML service provider's key and certificate (signs AuthnRequests and logout messages;
# Sweden Connect and Sambi require it). Without them requests go unsigned.
FEDERATION_SAML_SP_CERTIFICATE = _pem_from_env("FEDERATION_SAML_SP_CERTIFICATE")
FEDERATION_SAML_SP_PRIVATE_KEY = _pem_from_env("FEDERATION_SAML_SP_PRIVATE_KEY")
# Require the IdPs to encrypt assertions to the SP's certificate (Sweden Connect does).
FEDERATION_SAML_WANT_ASSERTIONS_ENCRYPTED = env_bool("FEDERATION_SAML_WANT_ASSERTIONS_ENCRYPTED")
# python3-saml refuses addresses on single-label hosts ("localhost") unless told otherwise.
FEDERATION_SAML_ALLOW_SINGLE_LABEL_DOMAINS = env_bool(
    "FEDERATION_SAML_ALLOW_SINGLE_LABEL_DOMAINS", False
)

# --- Wagtail -------------------------------------------------------------------------------
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "csv", "txt", "vtt", "mp4", "webm"]
# Translations are whole pages that authors copy and then edit in the other language
# (wagtail.contrib.simple_translation); no automatic aliases in the other locale, because an
# alias would show Swedish text on the English site until someone translated it.
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = False
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# --- xAPI ----------------------------------------------------------------------------------
# The LRS named here is kept as a LearningRecordStore row by setup_site (more can be added in
# the admin); /health/ checks it. XAPI_SENDING=false writes no statements at all.
LRS_ENDPOINT = os.environ.get("LRS_ENDPOINT", "")
LRS_USERNAME = os.environ.get("LRS_USERNAME", "")
LRS_PASSWORD = os.environ.get("LRS_PASSWORD", "")
XAPI_SENDING = env_bool("XAPI_SENDING", True)
# /health/ calls the LRS "degraded" when a statement has waited longer than this.
XAPI_PENDING_ALERT_SECONDS = int(os.environ.get("XAPI_PENDING_ALERT_SECONDS", "900"))

# --- Retention of personal data (issue 14; elearning/core/retention.py) ------------------------
# How long personal data is kept, in days; the daily "retention-apply" job erases what is older,
# and the privacy page shows these values. 0 turns a rule off (kept until the account goes).
# Free-text answers (reflection questions) of quiz attempts are erased this long after the
# attempt was submitted (or started, if it never was); the graded rows stay, anonymous.
RETENTION_FREE_TEXT_DAYS = env_days("RETENTION_FREE_TEXT_DAYS", 365)
# Accounts nobody has signed in to for this long are deleted (as when the person deletes their
# own account: progress stays as anonymous records). A warning e-mail goes out the given number
# of days before; signing in keeps the account. Superusers and staff accounts are never deleted.
RETENTION_INACTIVE_ACCOUNT_DAYS = env_days("RETENTION_INACTIVE_ACCOUNT_DAYS", 3 * 365)
RETENTION_INACTIVE_ACCOUNT_WARNING_DAYS = env_days("RETENTION_INACTIVE_ACCOUNT_WARNING_DAYS", 30)
# xAPI statements delivered to a learning record store: the copy kept in the outbox (its
# payload) is cleared this long after delivery; the LRS keeps its own under its own rules.
RETENTION_STATEMENT_PAYLOAD_DAYS = env_days("RETENTION_STATEMENT_PAYLOAD_DAYS", 90)
# Messages sent with the accessibility feedback form are deleted this long after they came.
RETENTION_FEEDBACK_DAYS = env_days("RETENTION_FEEDBACK_DAYS", 2 * 365)

# --- Accessibility feedback (issue 14; elearning/legal/) --------------------------------------
# Who gets the messages of the feedback form on the accessibility statement: these addresses,
# or, when empty, every active superuser.
ACCESSIBILITY_FEEDBACK_RECIPIENTS = env_list("ACCESSIBILITY_FEEDBACK_RECIPIENTS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail runs its search-index and reference-index updates through django-tasks,
        # which logs every run at INFO.
        "django_tasks": {"level": "WARNING"},
    },
}
