"""Signing in with a password (OAuth2 password flow) and the JWTs it issues, forged ones
included: every token the registry did not issue, or no longer stands behind, is a 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from argon2 import PasswordHasher as Argon2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from adapters.passwords import Argon2PasswordHasher
from application.commands import CreatePasswordUser, SetUserDisabled
from application.handlers.passwords import CreatePasswordUserHandler
from application.handlers.users import SetUserDisabledHandler
from application.ports import PasswordHasher
from application.views import OPERATOR
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES, ON_SQLITE, bearer

pytestmark = ON_SQLITE

KEY = b"k" * 32
OLD_KEY = b"o" * 32
ISSUER = "adr-registry"
PHRASE = "a long pass phrase"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        max_body_bytes=MAX_BODY_BYTES,
        jwt_keys=f"new:{KEY.decode()},old:{OLD_KEY.decode()}",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    # Cheap argon2 parameters: these tests are about the flow, not the hash's cost.
    cheap = Argon2PasswordHasher(Argon2(time_cost=1, memory_cost=8, parallelism=1))
    app = create_app(settings, {PasswordHasher: cheap})
    async with app.router.lifespan_context(app):
        create: CreatePasswordUserHandler = app.state.services.get(CreatePasswordUserHandler)
        await create(CreatePasswordUser(OPERATOR, "ann", PHRASE))
        yield app


async def _sign_in(
    client: httpx.AsyncClient, username: str = "ann", password: str = PHRASE
) -> httpx.Response:
    return await client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


def _claims(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": ISSUER,
        "sub": "ann",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
        "jti": "j1",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _signed(claims: dict[str, Any] | None = None, key: bytes = KEY, kid: str = "new") -> str:
    return jwt.encode(claims or _claims(), key, algorithm="HS256", headers={"kid": kid})


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, default=str).encode()).rstrip(b"=").decode()


def _alg_none() -> str:
    claims = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in _claims().items()}
    return f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': 'new'})}.{_segment(claims)}."


_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_RSA_PUBLIC_PEM = _RSA.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def _rs256() -> str:
    return jwt.encode(_claims(), _RSA, algorithm="RS256", headers={"kid": "new"})


def _hand_signed(header: dict[str, Any], key: bytes) -> str:
    """HS256 by hand, for what PyJWT refuses to make."""
    signing_input = f"{_segment(header)}.{_segment(_claims_as_numbers())}".encode()
    signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    return signing_input.decode() + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _claims_as_numbers(**changes: Any) -> dict[str, Any]:
    return {
        k: int(v.timestamp()) if isinstance(v, datetime) else v
        for k, v in _claims(**changes).items()
    }


def _now() -> datetime:
    """Read when the token is made: collection can take minutes on a loaded machine."""
    return datetime.now(UTC)


FORGED: dict[str, Callable[[], str]] = {
    "alg none": _alg_none,
    "RS256 instead of the pinned HS256": _rs256,
    # The confusion attack: an RS256 public key used as the HS256 secret.
    "HS256 keyed with an RSA public key": lambda: _hand_signed(
        {"alg": "HS256", "typ": "JWT", "kid": "new"}, _RSA_PUBLIC_PEM
    ),
    "wrong key": lambda: _signed(key=b"w" * 32),
    "unknown kid": lambda: _signed(kid="other"),
    "no kid": lambda: jwt.encode(_claims(), KEY, algorithm="HS256"),
    "kid not a string": lambda: _hand_signed({"alg": "HS256", "kid": ["new"]}, KEY),
    "wrong audience": lambda: _signed(_claims(aud="another-service")),
    "wrong issuer": lambda: _signed(_claims(iss="https://evil.example")),
    "expired": lambda: _signed(_claims(exp=_now() - timedelta(minutes=1))),
    "not yet valid": lambda: _signed(_claims(nbf=_now() + timedelta(minutes=5))),
    "subject not a string": lambda: _signed(_claims(sub=42)),
    "tampered payload": lambda: (
        _signed().rsplit(".", 2)[0]
        + "."
        + _segment(_claims_as_numbers(sub="root"))
        + "."
        + _signed().rsplit(".", 1)[1]
    ),
    "not a JWT at all": lambda: "eyJ.garbage",
    "scope no registry grants": lambda: _signed(_claims(scope="read write admin")),
    "scope not a string": lambda: _signed(_claims(scope=["read", "write"])),
    **{
        f"missing {claim}": (lambda claim=claim: _signed(_claims(**{claim: None})))
        for claim in ("iss", "aud", "sub", "exp", "nbf", "iat", "jti")
    },
}


async def test_signing_in_issues_a_bearer_jwt_that_authenticates(
    client: httpx.AsyncClient,
) -> None:
    reply = await _sign_in(client)
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    claims = jwt.decode(body["access_token"], KEY, algorithms=["HS256"], audience=ISSUER)
    assert claims["sub"] == "ann"
    assert claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(body["access_token"])["kid"] == "new"

    created = await client.post(
        "/v1/logs", json={"slug": "anns", "title": "Ann's"}, headers=bearer(body["access_token"])
    )
    assert created.status_code == 201, created.text
    read = await client.get("/v1/logs/anns", headers=bearer(body["access_token"]))
    assert read.status_code == 200


async def test_a_token_signed_with_the_previous_key_still_works_during_rotation(
    client: httpx.AsyncClient,
) -> None:
    reply = await client.get("/v1/logs", headers=bearer(_signed(key=OLD_KEY, kid="old")))
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize(
    ("username", "password"), [("ann", "a wrong pass phrase"), ("nobody", PHRASE)]
)
async def test_a_failed_sign_in_is_a_401_that_does_not_say_which_part_was_wrong(
    client: httpx.AsyncClient, username: str, password: str
) -> None:
    reply = await _sign_in(client, username, password)
    assert reply.status_code == 401
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["detail"] == "the username or password is not right"


@pytest.mark.parametrize(
    "form",
    [
        {"username": "ann", "password": PHRASE},
        {"grant_type": "client_credentials", "username": "ann", "password": PHRASE},
        {"grant_type": "password", "username": "ann"},
        {"grant_type": "password", "username": "ann", "password": "x" * 1025},
    ],
)
async def test_a_malformed_grant_is_a_422_naming_the_field(
    client: httpx.AsyncClient, form: dict[str, str]
) -> None:
    reply = await client.post("/v1/auth/token", data=form)
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("forgery", FORGED.values(), ids=FORGED.keys())
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/logs"), ("GET", "/v1/logs/anns/decisions/1"), ("POST", "/v1/tokens")],
)
async def test_every_forged_or_stale_jwt_is_a_401(
    client: httpx.AsyncClient, forgery: Callable[[], str], method: str, path: str
) -> None:
    reply = await client.request(method, path, json={"name": "x"}, headers=bearer(forgery()))
    assert reply.status_code == 401, reply.text
    assert reply.headers["www-authenticate"].startswith("Bearer")


async def test_a_disabled_users_valid_jwt_is_refused_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    token = (await _sign_in(client)).json()["access_token"]
    created = await client.post(
        "/v1/logs", json={"slug": "anns", "title": "Ann's"}, headers=bearer(token)
    )
    assert created.status_code == 201
    disable: SetUserDisabledHandler = app.state.services.get(SetUserDisabledHandler)
    await disable(SetUserDisabled(OPERATOR, "ann"))
    for method, path in (("GET", "/v1/logs/anns"), ("GET", "/v1/logs/anns/decisions/1")):
        reply = await client.request(method, path, headers=bearer(token))
        assert reply.status_code == 401, reply.text
    assert (
        await client.post("/v1/tokens", json={"name": "x"}, headers=bearer(token))
    ).status_code == 401
    assert (await _sign_in(client)).status_code == 401


async def test_docs_can_sign_in_through_the_password_flow(client: httpx.AsyncClient) -> None:
    openapi = (await client.get("/openapi.json")).json()
    scheme = openapi["components"]["securitySchemes"]["oauth2"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/v1/auth/token"
    assert {"oauth2": []} in openapi["paths"]["/v1/logs"]["post"]["security"]
    assert {"oauth2": []} in openapi["paths"]["/v1/logs/{log}/decisions/{n}"]["get"]["security"]


async def test_a_jwt_issued_before_scopes_keeps_all_its_user_may_do(
    client: httpx.AsyncClient,
) -> None:
    # Signed by this registry without a `scope` claim, as every JWT was until 0008.
    created = await client.post(
        "/v1/logs", json={"slug": "anns", "title": "Ann's"}, headers=bearer(_signed())
    )
    assert created.status_code == 201, created.text


async def test_a_read_scoped_jwt_reads_and_may_not_write(client: httpx.AsyncClient) -> None:
    read_only = bearer(_signed(_claims(scope="read")))
    assert (await client.get("/v1/logs", headers=read_only)).status_code == 200
    refused = await client.post("/v1/logs", json={"slug": "a", "title": "A"}, headers=read_only)
    assert refused.status_code == 403, refused.text
    assert refused.json()["required_scope"] == "write"
