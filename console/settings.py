"""Settings read from the environment only; with nothing set, the embedded defaults run.

DATABASE_URL       default: SQLite under VAR_DIR
CELERY_BROKER_URL  default: a folder-based broker under VAR_DIR (no server; a real worker consumes it)
STORAGE_BACKEND    local (default, folders under VAR_DIR) or s3 (S3_ENDPOINT_URL, S3_ACCESS_KEY, …)
SECRET_KEY         default: generated once into VAR_DIR/secret_key
KMS_ENDPOINT_URL   an external KMS for master keys (KMS_ACCESS_KEY_ID, …); default: sealed under a key in VAR_DIR
DEBUG, ALLOWED_HOSTS, VAR_DIR
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    # Generated once per installation and kept beside the data, so sessions and the
    # encrypted secret keys of AK/SK pairs survive restarts; never part of the repository.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = load_secret_key()
DEBUG = env_flag("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "console",
    "iam",
    "images",
    "images.blobs",
    "images.metadefs",
    "audit",
    "obs",
    "kms",
    "compute",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "console.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "console.middleware.ConsoleRegionMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"
# The SDK never sends a trailing slash and never follows redirects.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context_processors.console",
                "console.context_processors.account_sections",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'ims.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Django's backend, plus the query planner's statistics kept current (core/sqlite3/base.py).
    DATABASES["default"]["ENGINE"] = "core.sqlite3"
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Each web and worker thread keeps its connection for a few seconds: opening one (and its PRAGMAs) cost a
    # sixth of a small API call; closing it is when the planner's statistics are kept current (core/sqlite3).
    DATABASES["default"]["CONN_MAX_AGE"] = 10
    if not os.access(VAR_DIR, os.W_OK):
        # A read-only data folder (a read-only mount, a full-disk remount): open the database read-only so reads
        # keep working; a cleanly closed WAL database has no -wal/-shm files to share, so it is opened immutable.
        # Writes then fail with "attempt to write a readonly database", answered IMG.0831/503 by each face.
        _db = Path(DATABASES["default"]["NAME"])
        _immutable = "" if Path(f"{_db}-wal").exists() else "&immutable=1"
        DATABASES["default"]["NAME"] = f"file:{_db}?mode=ro{_immutable}"
        DATABASES["default"]["OPTIONS"] = {"uri": True, "timeout": 20}
    # A file, not memory: job workers in other processes must see the test database too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "images:image_list"
LOGOUT_REDIRECT_URL = "console:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "ims_language"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "files"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
if STORAGE_BACKEND not in ("local", "s3"):
    raise ValueError("STORAGE_BACKEND must be local or s3")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
S3_REGION_NAME = os.environ.get("S3_REGION_NAME", "us-east-1")
S3_BUCKET_PREFIX = os.environ.get("S3_BUCKET_PREFIX", "ims")
# Re-hash every chunk on every read. Unset: only on S3, whose bytes cross a network; local chunks are verified
# when written and by the periodic chunk audit (CHUNK_AUDIT_BYTES_PER_SECOND, 0 turns it off).
CHUNK_VERIFY_ON_READ = env_flag("CHUNK_VERIFY_ON_READ") if os.environ.get("CHUNK_VERIFY_ON_READ") else None
CHUNK_AUDIT_BYTES_PER_SECOND = int(os.environ.get("CHUNK_AUDIT_BYTES_PER_SECOND", str(50 * 1024**2)))
# Master keys of new KMS keys: sealed in VAR_DIR/kms unless an external KMS (AWS KMS protocol) is named here.
KMS_ENDPOINT_URL = os.environ.get("KMS_ENDPOINT_URL", "")
KMS_ACCESS_KEY_ID = os.environ.get("KMS_ACCESS_KEY_ID", "")
KMS_SECRET_ACCESS_KEY = os.environ.get("KMS_SECRET_ACCESS_KEY", "")
KMS_REGION = os.environ.get("KMS_REGION", "us-east-1")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_flag("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_flag("SECURE_COOKIES")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Production security and sign-in protection -------------------------------------------------------
# Off by default so `make run` keeps serving http://127.0.0.1; a deployment behind TLS sets
# SECURE_COOKIES=true, SECURE_HSTS_SECONDS=31536000 and SECURE_SSL_REDIRECT=true
# (`manage.py check --deploy` then passes). HSTS sub-domain and preload flags only act once HSTS is on.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", True)
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT")
if env_flag("SECURE_PROXY_SSL_HEADER"):
    # Only behind a proxy that sets this header itself; otherwise clients could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))  # a working day, not two weeks
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Consecutive failed sign-ins (console and token API) before a user name is locked, and for how long.
LOGIN_LOCKOUT_ATTEMPTS = int(os.environ.get("LOGIN_LOCKOUT_ATTEMPTS", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# --- end of production security and sign-in protection ------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "iam.api.authentication.SdkSignatureAuthentication",
        "iam.api.authentication.TokenAuthentication",
        "iam.api.authentication.ConsoleSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["iam.api.authentication.IsProjectMember"],
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.json_body.StrictJSONParser"],
    "EXCEPTION_HANDLER": "console.errors.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "console.errors.JsonOnlyNegotiation",
    "DEFAULT_SCHEMA_CLASS": "console.schema.ImsAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IMS Console API",
    "DESCRIPTION": "The Image Management Service API (official IMS paths) and the OpenStack Image v2 API.",
    "VERSION": "2",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the installed sidecar package: the machines have no internet for a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # kombu's default is "control" in the working directory
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
# The worker started by run_console embeds the scheduler (-B) for these housekeeping tasks.
CELERY_BEAT_SCHEDULE = {
    # images.services.jobs.REAP_EVERY: with its STALE_AFTER, a dead worker's job fails within a minute.
    "reap-stale-jobs": {"task": "images.reap_stale_jobs", "schedule": 15.0},
    "collect-garbage": {"task": "images.collect_garbage", "schedule": 3600.0},
    # Re-hashes the chunks verified longest ago, for a bounded time each run (images.blobs.audit).
    "audit-chunks": {"task": "images.audit_chunks", "schedule": 600.0},
}

# Product limits (PRODUCT.md); configurable where operators may raise them.
IMS_PRIVATE_IMAGE_QUOTA = int(os.environ.get("IMS_PRIVATE_IMAGE_QUOTA", "100"))
IMS_PARALLEL_TASK_QUOTA = int(os.environ.get("IMS_PARALLEL_TASK_QUOTA", "40"))
IMS_IMAGE_SIZE_CAP = int(os.environ.get("IMS_IMAGE_SIZE_CAP", str(128 * 1024**3)))
IMS_API_MAX_LIMIT = 1000
TOKEN_LIFETIME_HOURS = 24

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
