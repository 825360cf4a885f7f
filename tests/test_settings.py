"""Settings read from the environment: production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": "x7!k2@q9#" * 8,
    "ALLOWED_HOSTS": "book.example-clinic.com",
    "DJANGO_SETTINGS_MODULE": "medspa.settings",
}


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "medspa.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _settings(expr: str, **env: str) -> subprocess.CompletedProcess:
    return _run(f"import django; django.setup(); from django.conf import settings; print(repr(({expr})))", **env)


def test_production_without_secret_key_refuses_to_start():
    result = _settings("settings.SECRET_KEY", DJANGO_DEBUG="0", ALLOWED_HOSTS="x.example")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = _settings("settings.ALLOWED_HOSTS", DJANGO_DEBUG="0", SECRET_KEY="s" * 60)
    assert result.returncode != 0
    assert "Set the ALLOWED_HOSTS environment variable" in result.stderr


def test_an_unknown_clinic_time_zone_is_a_clear_error():
    result = _settings("settings.TIME_ZONE", DJANGO_DEBUG="1", CLINIC_TIME_ZONE="Mars/Olympus_Mons")
    assert result.returncode != 0
    assert "CLINIC_TIME_ZONE 'Mars/Olympus_Mons' is not an IANA time zone" in result.stderr


def test_clinic_time_zone_sets_the_default_zone():
    result = _settings("settings.TIME_ZONE, settings.USE_TZ", DJANGO_DEBUG="1", CLINIC_TIME_ZONE="America/Phoenix")
    assert result.stdout.strip() == "('America/Phoenix', True)"


def test_embedded_default_is_sqlite_with_immediate_transactions(tmp_path):
    result = _settings(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['OPTIONS']['transaction_mode'], "
        "settings.CELERY_BROKER_URL, settings.EMAIL_BACKEND, str(settings.EMAIL_FILE_PATH)",
        DJANGO_DEBUG="1",
        VAR_DIR=str(tmp_path),
        DATABASE_URL="",
        CELERY_BROKER_URL="",
        EMAIL_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "('django.db.backends.sqlite3', 'IMMEDIATE', 'filesystem://', "
        f"'django.core.mail.backends.filebased.EmailBackend', '{tmp_path / 'mail'}')"
    )
    assert (tmp_path / "celery" / "queue").is_dir()


@pytest.mark.parametrize("url", ["postgres://u:p@db.example:5432/medspa"])
def test_database_url_chooses_the_database(url):
    result = _settings("settings.DATABASES['default']['ENGINE']", DJANGO_DEBUG="1", DATABASE_URL=url)
    assert result.stdout.strip() == "'django.db.backends.postgresql'"


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_site_url_follows_the_port_make_run_serves_on():
    result = _settings("settings.SITE_URL", DJANGO_DEBUG="1", PORT="8123")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "'http://127.0.0.1:8123'"


def test_site_url_defaults_to_port_8000_and_an_explicit_one_wins():
    clean = {k: v for k, v in os.environ.items() if k != "PORT"}
    show = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "medspa.settings", "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "http://127.0.0.1:8000", result.stderr
    explicit = _settings("settings.SITE_URL", DJANGO_DEBUG="1", PORT="8123", SITE_URL="https://book.example.com/")
    assert explicit.stdout.strip() == "'https://book.example.com'"


def test_run_script_exports_the_port_to_the_web_server_and_the_worker():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "export PORT=${PORT:-8000}" in script
