"""Settings, read from the environment (django-environ).

With nothing set and DJANGO_DEBUG=1 (what `make run` and `make test` do) the app runs on its
embedded defaults: SQLite, Celery on the filesystem broker and email written to files, all
under VAR_DIR. Production sets DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL, SECRET_KEY and
ALLOWED_HOSTS; SECRET_KEY and ALLOWED_HOSTS have no defaults there.
"""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
import xstatic.pkg.bootstrap
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Embedded state (SQLite, the filesystem broker, the beat schedule, mail files) lives here.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-key-not-for-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required: set it, or DJANGO_DEBUG=1 for development
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The clinic
CLINIC_NAME = env.str("CLINIC_NAME", default="Still Water Aesthetics")
CLINIC_TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="America/New_York")
CLINIC_PHONE = env.str("CLINIC_PHONE", default="+1 941 555 0142")
CLINIC_EMAIL = env.str("CLINIC_EMAIL", default="hello@stillwater.example")
# Absolute links in emails and calendar files start with this. Without it, the address `make run`
# serves on: the same PORT (scripts/run.sh exports it to the web server and the worker alike).
PORT = env.int("PORT", default=8000)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
try:
    ZoneInfo(CLINIC_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(f"CLINIC_TIME_ZONE {CLINIC_TIME_ZONE!r} is not an IANA time zone") from exc

# Booking policy
BOOKING_MIN_NOTICE_MINUTES = env.int("BOOKING_MIN_NOTICE_MINUTES", default=120)
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=90)
BOOKING_SLOT_STEP_MINUTES = env.int("BOOKING_SLOT_STEP_MINUTES", default=15)
# The public API's availability answers kept per web process under the availability version
# (bookings/availability_cache.py); off, every answer is computed afresh.
AVAILABILITY_CACHE = env.bool("AVAILABILITY_CACHE", default=True)
BOOKING_CANCEL_WINDOW_HOURS = env.int("BOOKING_CANCEL_WINDOW_HOURS", default=24)
# At most this many upcoming online-booked appointments per email; more need a call.
BOOKING_MAX_OPEN_ONLINE = env.int("BOOKING_MAX_OPEN_ONLINE", default=3)

# Rate limits, counted in the cache below: "N/period" (s, m, h, d; "5/10m" is five per ten
# minutes), several comma-separated all apply, empty turns one off. Over a limit: 429 with Retry-After.
RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", default=True)
# Bookings (API and the waitlist form) from one client address.
RATE_LIMIT_BOOKING_PER_ADDRESS = env.str("RATE_LIMIT_BOOKING_PER_ADDRESS", default="10/h,30/d")
# Bookings for one email address, from anywhere.
RATE_LIMIT_BOOKING_PER_EMAIL = env.str("RATE_LIMIT_BOOKING_PER_EMAIL", default="5/h,10/d")
# Availability searches from one client address (the booking page asks once per two weeks shown).
RATE_LIMIT_AVAILABILITY = env.str("RATE_LIMIT_AVAILABILITY", default="120/m,2000/h")
# Requests to token links (manage, intake, follow-up, waitlist offer, opt-out, API by token) from one address.
RATE_LIMIT_TOKEN_LINKS = env.str("RATE_LIMIT_TOKEN_LINKS", default="60/m,600/h")
# Opt-out links in messages work for this many days after the message was sent.
OPT_OUT_LINK_DAYS = env.int("OPT_OUT_LINK_DAYS", default=90)

INSTALLED_APPS = [
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Third party
    "ninja",  # serves its Swagger UI from its own static files, not a CDN
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "csp",
    "crispy_forms",  # every form is drawn by its Bootstrap 5 pack (medspa/forms.py)
    "crispy_bootstrap5",
    # Local, in the order a patient moves through the clinic
    "medspa",
    "treatments",
    "bookings",
    "intake",
    "charting",
    "reminders",
    "audit",  # above every app: the change history, exports and erasure; nothing imports it
    "reports",  # the clinic's numbers: reads every app, writes nothing; nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every response, 429s and 413s included.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "medspa.middleware.NoStoreMiddleware",
    "medspa.middleware.RequestHygieneMiddleware",
    "medspa.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Puts the signed-in user on every change-history row written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "medspa.signin.middleware.IdleSessionMiddleware",
    "medspa.signin.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "medspa.urls"
WSGI_APPLICATION = "medspa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "medspa.context_processors.clinic",
                "medspa.context_processors.staff",
            ],
        },
    },
]

# Forms: django-crispy-forms with its Bootstrap 5 pack (the CSS is the vendored Bootstrap below).
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Database: SQLite in VAR_DIR unless DATABASE_URL names another.
# An empty variable counts as unset, here and for the broker and email below.
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'medspa.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # Take the write lock at BEGIN, so a check and the insert after it are one serialized step.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Values bound by the server, and a statement run five times on a connection prepared there:
    # PostgreSQL then plans it once per connection instead of on every request (planning was
    # four fifths of the availability statement's time on the server). DB_PREPARED_STATEMENTS=off
    # turns preparing off, for a pooler that cannot keep prepared statements (PgBouncer before 1.21
    # in transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=None if env.str("DB_PREPARED_STATEMENTS", default="on") == "off" else 5,
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache counts failed sign-ins and rate limits; with several web processes it must be shared (Redis).
CACHES = {"default": env.cache_url_config(env.str("CACHE_URL", default="") or "locmemcache://")}

# Staff sign-in. The caller's address comes from X-Forwarded-For only through this many proxies
# that each append to it (0: the connection's own address; 1: one reverse proxy such as nginx).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Injectors and managers always sign in with a code from an authenticator app; front desk too
# when this is on. Anyone who has set up an app is asked for a code.
OTP_REQUIRED_FOR_FRONT_DESK = env.bool("OTP_REQUIRED_FOR_FRONT_DESK", default=False)
OTP_TOTP_ISSUER = CLINIC_NAME
# A staff session ends after this long without a request (medspa.signin.middleware); the stored
# session outlives that by a few minutes only, so the page can say why it signed you out.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = (SESSION_IDLE_MINUTES + 5) * 60

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "bookings:staff-day"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
# Times are stored in UTC; this is the zone for staff screens when no location says otherwise.
TIME_ZONE = CLINIC_TIME_ZONE

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap from the xstatic-bootstrap package: nothing loads from a CDN.
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # Patients' photos (charting): files under VAR_DIR, outside any served folder (there is no
    # MEDIA_URL), or a private bucket of any S3-compatible store. Only a view that checks
    # permission and writes the access log reads them (charting/views/photos.py).
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "photos"), "base_url": None, "file_permissions_mode": 0o600},
    },
}
if PHOTOS_S3_BUCKET := env.str("PHOTOS_S3_BUCKET", default=""):
    # django-storages' S3 backend (it needs boto3): AWS, MinIO, Backblaze, Wasabi, Scaleway…
    # Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the instance's role).
    STORAGES["photos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PHOTOS_S3_BUCKET,
            "endpoint_url": env.str("PHOTOS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("PHOTOS_S3_REGION", default="") or None,
            "location": env.str("PHOTOS_S3_PREFIX", default="photos"),
            "default_acl": "private",
            "querystring_auth": True,  # a URL, if ever made, is signed and short-lived
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
    if PHOTOS_S3_ENCRYPTION := env.str("PHOTOS_S3_ENCRYPTION", default=""):  # e.g. AES256 or aws:kms
        STORAGES["photos"]["OPTIONS"]["object_parameters"] = {"ServerSideEncryption": PHOTOS_S3_ENCRYPTION}
# A photo upload: each file at most this many bytes (the form refuses more with a message).
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=20 * 1024 * 1024)

# Email: written to files in VAR_DIR unless EMAIL_URL names an SMTP server.
if EMAIL_URL := env.str("EMAIL_URL", default=""):
    vars().update(env.email_url_config(EMAIL_URL))
    # A provider's API instead of SMTP (an Anymail backend, say) keeps EMAIL_URL for its host.
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=vars()["EMAIL_BACKEND"])
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Patient messages: the email channel uses the backend above; SMS goes to files in VAR_DIR/sms
# unless SMS_BACKEND names Twilio (reminders.channels.sms.TwilioSMS) with its credentials.
EMAIL_CHANNEL = "reminders.channels.email.EmailChannel"
SMS_BACKEND = env.str("SMS_BACKEND", default="reminders.channels.sms.FileSMS")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="https://api.twilio.com")
SMS_QUIET_HOURS = (env.int("SMS_QUIET_START", default=21), env.int("SMS_QUIET_END", default=8))
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=5)
# A message a sender took ("sending", committed) and never finished after this long is "in doubt":
# shown so to staff and sent again with the same Message-ID / idempotency key.
MESSAGE_IN_DOUBT_AFTER = timedelta(seconds=env.int("MESSAGE_IN_DOUBT_AFTER_SECONDS", default=600))
# Webhooks (managers register them at /staff/webhooks/): a signed POST, sent by the message sender
# above (its retries, MESSAGE_MAX_ATTEMPTS and "in doubt"). Receivers must be https on a public
# address; WEBHOOK_ALLOW_LOCAL (on in development and tests) also lets http://localhost and
# 127.0.0.1 / ::1 receive, and nothing ever goes to a private or link-local address.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_ALLOW_LOCAL = env.bool("WEBHOOK_ALLOW_LOCAL", default=DEBUG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{CLINIC_NAME} <{CLINIC_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: the filesystem broker in VAR_DIR unless CELERY_BROKER_URL names Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir, _processed_dir = VAR_DIR / "celery" / "queue", VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _dir in (_queue_dir, _processed_dir, _control_dir, VAR_DIR / "celery" / "results"):
        _dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
    _default_result_backend = f"file://{VAR_DIR / 'celery' / 'results'}"
else:
    _default_result_backend = CELERY_BROKER_URL
# Results are off unless a task asks for one (the ping health check does).
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or _default_result_backend
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only after it ran, so a killed worker's task runs again; tasks are
# written to be safe to run twice (they re-check the database row).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic work lives here, in code. Far-away work is never a Celery ETA: it is a database row
# that a sweep below picks up when it is due.
CELERY_BEAT_SCHEDULE = {
    "sessions-clear": {"task": "medspa.tasks.sessions_clear", "schedule": crontab(hour=4, minute=17)},
    "messages-send": {"task": "reminders.tasks.messages_send", "schedule": 60.0},
}

# Security. Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # manage and intake links carry tokens in their URLs
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): scripts and styles only from this site's own static
# files, never inline (no 'unsafe-inline', no 'unsafe-eval', no inline event handlers or style
# attributes); data: images only for the SVG icons inside Bootstrap's and Swagger UI's CSS.
# No page needs a nonce today; NONCE is left out of the header unless a template reads
# {{ request.csp_nonce }} (a <style nonce=...> that cannot be a static file).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# A body larger than this (files apart) is refused with 413 before any view reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# Patients' tokens are masked in every log line: on the handler (anything that reaches it) and on
# the access-log loggers themselves (runserver's, django.request's and gunicorn's when gunicorn runs
# with --access-logfile), whose lines then go to the console handler like everything else.
_ACCESS_LOGGERS = ("django.server", "django.request", "gunicorn.access", "gunicorn.error")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "medspa.log_filters.MaskTokens"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The filesystem broker has no host, which kombu warns about on every connection.
        "kombu.connection": {"level": "ERROR"},
        **{name: {"level": "INFO", "propagate": True, "filters": ["mask_tokens"]} for name in _ACCESS_LOGGERS},
    },
}
