import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "expoe_portal.settings.production",
    "DJANGO_SECRET_KEY": "q8#v2!k9zR$w7Lm3@pX5&tN1^bY6*cH4(jD0)sF-gA_eU+iO7wQ3zK9xV2mB5nL8",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal:portal@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "BROADWORKS_HOST": "oci.example.com",
    "BROADWORKS_USERNAME": "portal",
    "BROADWORKS_PASSWORD": "not-a-real-password",
    "AKIXI_BASE_URL": "https://akixi.example.com/CCS/API/v1",
    "AKIXI_API_KEY": "not-a-real-key",
    "AKIXI_TELSYS_ID": "4",
    "AKIXI_CM_ENVIRONMENT_ID": "expoe-production",
}


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "BROADWORKS_", "AKIXI_", "CALLCABINET_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_the_readme_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "BROADWORKS_PASSWORD",
        "AKIXI_TELSYS_ID",
        "AKIXI_CM_ENVIRONMENT_ID",
    ],
)
def test_production_has_no_default_for_secrets_or_addresses(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_akixi_needs_an_api_key_or_its_session_login():
    without = {k: v for k, v in PRODUCTION_ENV.items() if k != "AKIXI_API_KEY"}
    refused = _manage("check", env=without)
    assert refused.returncode != 0
    assert "Set AKIXI_API_KEY, or AKIXI_USERNAME and AKIXI_PASSWORD" in refused.stderr
    session = {**without, "AKIXI_USERNAME": "portal", "AKIXI_PASSWORD": "not-a-real-password"}
    assert _manage("check", env=session).returncode == 0


def test_production_lets_a_local_prometheus_scrape_over_http_without_a_redirect():
    scrape = "from django.test import Client; print(Client().get('/metrics', HTTP_HOST='portal.example.com'))"
    result = _manage("shell", "-c", scrape, env=PRODUCTION_ENV)
    assert "status_code=200" in result.stdout, result.stdout + result.stderr


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_scripts(client):
    header = client.get(reverse("accounts:login")).headers["Content-Security-Policy"]
    script_src = next(part for part in header.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'self'" in script_src
    assert "frame-ancestors 'none'" in header


@pytest.mark.django_db
def test_pages_carry_no_inline_script(client, world):
    from accounts.choices import Role

    client.force_login(world.user(Role.COORDINATOR))
    for url in [reverse("home"), reverse("partners:partner_list"), reverse("api-docs")]:
        body = client.get(url).content.decode()
        assert "<script>" not in body and "<script " not in body.replace("<script src=", ""), url


@pytest.mark.django_db
def test_friendly_404_page_for_an_unknown_url(client, world):
    from accounts.choices import Role

    client.force_login(world.user(Role.COORDINATOR))
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_api_404_uses_the_error_format(api_as, world):
    from accounts.choices import Role

    response = api_as(world.user(Role.COORDINATOR)).get("/api/v1/partners/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_friendly_500_page_shows_no_details(rf):
    from expoe_portal.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body and "Traceback" not in body


@pytest.mark.django_db
def test_session_cookie_is_http_only_and_expires(client, world):
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
