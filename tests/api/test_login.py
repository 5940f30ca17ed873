"""Local accounts over HTTP, on both back-ends: login and its session cookie, the session as
an API credential with CSRF protection, failed logins locked in the database, logout,
expiry, and password reset through the mail outbox."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.responses import Response

from openror.api import session_auth
from openror.config import Settings
from openror.services.logins import LoginLocked
from openror.services.people import People
from openror.services.sessions import Opened
from openror.store import resets
from openror.store.resources import utcnow
from tests.api.people_fixture import (
    PASSWORD,
    browser,
    logged_in,
    people,
)
from tests.conftest import LiveServer

FHIR = {"Content-Type": "application/fhir+json"}
COOKIE = "openror-session"


def _offer(client: httpx.Client, rid: str) -> dict[str, object]:
    response = client.get(f"/fhir/HealthcareService/{rid}")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _sql(server: LiveServer, text: str) -> None:
    with server.app.state.services.db.write() as conn:
        conn.exec_driver_sql(text)


def test_login_opens_a_session_in_an_httponly_lax_cookie(world: LiveServer) -> None:
    with browser(world) as client:
        response = client.post("/auth/login", data={"login": "PRO ", "password": PASSWORD})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["login"] == "pro" and body["message"] == "Vous êtes connecté(e)."
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        for part in ("HttpOnly", "SameSite=lax", "Path=/", "Max-Age=28800"):
            assert part in cookie
        assert response.headers["cache-control"] == "no-store"
        me = client.get("/auth/session").json()
        assert me["roles"] == ["professional:pract-p"] and me["profile"] == 2
        assert me["csrf_token"] == body["csrf_token"]


def test_a_secure_cookie_is_host_only(tmp_path: object) -> None:
    response = Response()
    opened = Opened("t0ken", "csrf", utcnow(), "pro")
    session_auth.set_session_cookie(response, Settings(), opened)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-openror-session=t0ken;")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Domain" not in cookie


def test_the_session_reads_and_writes_with_its_csrf_token(world: LiveServer) -> None:
    with httpx.Client(base_url=world.url) as anonymous:
        assert anonymous.get("/fhir/HealthcareService/hs-p").status_code == 401
    with logged_in(world, "pro") as (client, csrf):
        body = _offer(client, "hs-p") | {"name": "Mon offre"}
        for headers in ({}, {"X-CSRF-Token": "wrong"}):
            refused = client.put("/fhir/HealthcareService/hs-p", json=body,
                                 headers={**FHIR, **headers})
            assert refused.status_code == 403 and "CSRF" in refused.text
        assert _offer(client, "hs-p")["meta"]["versionId"] == "1"  # type: ignore[index]
        done = client.put("/fhir/HealthcareService/hs-p", json=body,
                          headers={**FHIR, "X-CSRF-Token": csrf})
        assert done.status_code == 200, done.text
        history = client.get("/fhir/HealthcareService/hs-p/_history").json()
        assert history["total"] == 2


def test_a_bearer_token_needs_no_csrf_token_even_with_a_cookie(world: LiveServer) -> None:
    with logged_in(world, "pro") as (client, _):
        body = _offer(client, "hs-q") | {"name": "Par le client API"}
        response = client.put("/fhir/HealthcareService/hs-q", json=body,
                              headers={**FHIR, **world.headers})
        assert response.status_code == 200, response.text  # as the API client, not as pro


@pytest.mark.parametrize("login", ["pro", "nobody"])
def test_failures_are_refused_alike_then_locked_for_every_worker(world: LiveServer,
                                                                  login: str) -> None:
    with browser(world) as client:
        for _ in range(4):
            response = client.post("/auth/login", data={"login": login, "password": "faux"})
            assert response.status_code == 401
            assert response.json() == {"error": "invalid_credentials",
                                       "message": "Identifiant ou mot de passe incorrect."}
        locked = client.post("/auth/login", data={"login": login, "password": "faux"})
        assert locked.status_code == 429 and locked.json()["error"] == "locked"
        assert 890 <= int(locked.headers["retry-after"]) <= 900
        assert "verrouillé pendant 15 min" in locked.json()["message"]
        again = client.post("/auth/login", data={"login": login, "password": PASSWORD})
        assert again.status_code == 429
    other = People.open(world.app.state.services.db, Settings(login_max_failures=5))
    with pytest.raises(LoginLocked):  # another process reads the same lock
        other.logins.login(login, PASSWORD)
    _sql(world, "UPDATE login_throttle SET locked_until = first_failed_at")
    if login == "pro":
        with browser(world) as client:
            assert client.post("/auth/login", data={"login": login,
                                                    "password": PASSWORD}).status_code == 200


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(world: LiveServer) -> None:
    with logged_in(world, "pro") as (client, _):
        people(world).users.disable("pro")
        assert client.get("/fhir/HealthcareService/hs-p").status_code == 401
        response = client.post("/auth/login", data={"login": "pro", "password": PASSWORD})
        assert response.status_code == 401


def test_logout_ends_the_session(world: LiveServer) -> None:
    with logged_in(world, "pro") as (client, csrf):
        cookie = client.cookies[COOKIE]
        assert client.post("/auth/logout").status_code == 403  # CSRF token missing
        response = client.post("/auth/logout", headers={"X-CSRF-Token": csrf})
        assert response.status_code == 200
        assert f'{COOKIE}=""' in response.headers["set-cookie"]
    with browser(world) as replay:
        stale = replay.get("/fhir/HealthcareService/hs-p", headers={"Cookie": f"{COOKIE}={cookie}"})
        assert stale.status_code == 401 and "log in again" in stale.text


def test_an_expired_session_is_refused(world: LiveServer) -> None:
    with logged_in(world, "pro") as (client, _):
        _sql(world, "UPDATE user_session SET expires_at = created_at")
        assert client.get("/fhir/HealthcareService/hs-p").status_code == 401


def test_a_revoked_role_stops_at_once(world: LiveServer) -> None:
    with logged_in(world, "ref") as (client, csrf):
        body = _offer(client, "hs-a") | {"name": "Renommée"}
        headers = {**FHIR, "X-CSRF-Token": csrf}
        assert client.put("/fhir/HealthcareService/hs-a", json=body,
                          headers=headers).status_code == 200
        people(world).users.revoke("ref", "referent:eg-a")
        assert client.put("/fhir/HealthcareService/hs-a", json=body,
                          headers=headers).status_code == 403


def test_cross_site_and_off_loopback_logins_are_refused(world: LiveServer) -> None:
    form = {"login": "pro", "password": PASSWORD}
    with browser(world) as client:
        response = client.post("/auth/login", data=form,
                               headers={"Origin": "https://evil.example"})
        assert response.status_code == 403 and response.json()["error"] == "forbidden_origin"
        response = client.post("/auth/login", data=form, headers={"Host": "ror.example.org"})
        assert response.status_code == 403 and response.json()["error"] == "insecure"
        response = client.post("/auth/login", data=form,
                               headers={"Origin": world.url})
        assert response.status_code == 200
        assert client.post("/auth/login", json=form).status_code == 415
        assert client.post("/auth/login", data={"login": "pro"}).status_code == 400


def _mails(server: LiveServer) -> list[resets.Mail]:
    with server.app.state.services.db.read() as conn:
        return resets.outbox(conn)


def _code(mail: resets.Mail) -> str:
    found = re.search(r"\n\n(\S{40,})\n\n", mail.body)
    assert found, mail.body
    return found.group(1)


def test_password_reset_through_the_outbox(world: LiveServer) -> None:
    with logged_in(world, "pro") as (client, _), browser(world) as anonymous:
        for wanted in ("nobody", "pro"):
            response = anonymous.post("/auth/password-reset", data={"login": wanted})
            assert response.status_code == 202
            assert response.json()["message"].startswith("Si un compte correspond")
        [mail] = _mails(world)
        assert mail.recipient == "pro@example.org" and "réinitialisation" in mail.subject
        code = _code(mail)
        weak = anonymous.post("/auth/password-reset/confirm",
                              data={"token": code, "password": "court"})
        assert weak.status_code == 400 and weak.json()["error"] == "weak_password"
        new = "un tout nouveau mot de passe"
        done = anonymous.post("/auth/password-reset/confirm",
                              data={"token": code, "password": new})
        assert done.status_code == 200, done.text
        again = anonymous.post("/auth/password-reset/confirm",
                               data={"token": code, "password": new + "!"})
        assert again.status_code == 400 and again.json()["error"] == "invalid_token"
        assert anonymous.post("/auth/login", data={"login": "pro", "password": PASSWORD}
                              ).status_code == 401
        assert anonymous.post("/auth/login", data={"login": "pro", "password": new}
                              ).status_code == 200
        # the session opened with the old password has ended
        assert client.get("/fhir/HealthcareService/hs-p").status_code == 401


def test_reset_codes_expire_are_limited_and_found_by_email(world: LiveServer) -> None:
    resets_service = people(world).resets
    assert resets_service.request("PRO@example.org") == 1
    _sql(world, "UPDATE password_reset SET expires_at = created_at")
    with browser(world) as anonymous:
        response = anonymous.post("/auth/password-reset/confirm", data={
            "token": _code(_mails(world)[0]), "password": "un tout nouveau mot de passe"})
        assert response.status_code == 400 and response.json()["error"] == "invalid_token"
    assert [resets_service.request("pro") for _ in range(3)] == [1, 1, 0]  # 3 an hour
    with world.app.state.services.db.read() as conn:
        assert resets.recent(conn, "x", utcnow() - timedelta(hours=1)) == 0
