"""`manage.py check --deploy` passes with the production environment, and the defaults still serve plain HTTP."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Dropped from the test run's environment: the production values come from each test, and the browser tests'
# permission for Playwright's event loop (DJANGO_ALLOW_ASYNC_UNSAFE) must not reach a deployment check.
PRODUCTION_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def manage(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, "VAR_DIR": str(tmp_path), **env},
    )


def test_the_deploy_check_passes_in_production(tmp_path):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    secret_key = "".join(secrets.choice(alphabet) for _ in range(50))

    production = {
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "ims.example.test",
        "SECURE_COOKIES": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_SSL_REDIRECT": "true",
    }

    security = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", "--tag", "security", **production)
    assert security.returncode == 0, security.stdout + security.stderr
    everything = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production)
    assert everything.returncode == 0, everything.stdout + everything.stderr


def test_the_defaults_do_not_redirect_to_https(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.LOGIN_LOCKOUT_ATTEMPTS, "
        "s.LOGIN_LOCKOUT_MINUTES)"
    )
    result = manage(tmp_path, "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["False", "0", "False", "5", "15"]


def test_the_deploy_check_fails_without_the_production_settings(tmp_path):
    """The test above proves the settings, not a check that never fails."""
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stderr + result.stdout
    assert result.returncode != 0 and "security.W008" in output and "security.W004" in output
