"""Session tokens as JWTs (PyJWT): HS256 only, keys by `kid`, every claim required.

One algorithm is pinned, so a token cannot choose how it is checked (`alg: none`, or an
RS256 public key used as an HMAC secret). The first key signs; all of them verify, so a
new key is rolled out in front of the old one, and the old one dropped once the tokens
it signed have expired (after one lifetime).

A verified token is remembered until it expires (a bounded map from the token's text):
checking a signature and its claims on every request cost more than the rest of
authenticating it. Nothing is lost by it: the keys are fixed for the process's life, and
whether the user may still sign in is read from the database on every request.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from datetime import datetime, timedelta

import jwt

from application.authentication import SignedToken
from application.errors import NotAuthenticated
from application.ports import SessionTokens
from application.views import IssuedSession
from domain.errors import InvalidValue
from domain.user import TokenScope

ALGORITHM = "HS256"
_REQUIRED = ["iss", "aud", "sub", "exp", "nbf", "iat", "jti"]
# Enough for every signed-in user of a large organisation; past it the oldest is dropped.
_REMEMBERED = 4096
_INVALID = (
    "the bearer token is not valid: it was not issued by this registry, or was altered; "
    "sign in again at POST /v1/auth/token"
)


class JwtSessionTokens(SessionTokens):
    def __init__(
        self,
        keys: Mapping[str, bytes],
        *,
        issuer: str,
        audience: str,
        lifetime: timedelta,
        leeway: timedelta = timedelta(seconds=5),
    ) -> None:
        if not keys:
            raise ValueError("at least one signing key is needed")
        self._keys = dict(keys)
        self._signing_kid = next(iter(self._keys))
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime
        self._leeway = leeway
        # token -> (what it says, when it stops being valid, in epoch seconds)
        self._verified: dict[str, tuple[SignedToken, float]] = {}

    def issue(self, username: str, now: datetime, scope: TokenScope) -> IssuedSession:
        claims = {
            "scope": scope.value,
            "iss": self._issuer,
            "aud": self._audience,
            "sub": username,
            "iat": now,
            "nbf": now,
            "exp": now + self._lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        token = jwt.encode(
            claims,
            self._keys[self._signing_kid],
            algorithm=ALGORITHM,
            headers={"kid": self._signing_kid},
        )
        return IssuedSession(
            access_token=token, expires_in=int(self._lifetime.total_seconds()), scope=scope
        )

    def verified(self, token: str) -> SignedToken:
        remembered = self._verified.get(token)
        if remembered is not None:
            if time.time() < remembered[1]:
                return remembered[0]
            del self._verified[token]
        signed, valid_until = self._verify(token)
        if len(self._verified) >= _REMEMBERED:
            self._verified.pop(next(iter(self._verified)))
        self._verified[token] = (signed, valid_until)
        return signed

    def _verify(self, token: str) -> tuple[SignedToken, float]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise NotAuthenticated(_INVALID)
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED},
            )
        except jwt.ExpiredSignatureError as error:
            raise NotAuthenticated(
                "the bearer token has expired: sign in again at POST /v1/auth/token"
            ) from error
        except jwt.PyJWTError as error:
            raise NotAuthenticated(_INVALID) from error
        subject, scope = claims["sub"], claims.get("scope")
        if not isinstance(subject, str) or not isinstance(scope, str | None):
            raise NotAuthenticated(_INVALID)
        try:
            # No scope: a JWT issued before scopes were, which could do all its user can.
            signed = SignedToken(subject, TokenScope.parse(scope))
        except InvalidValue as error:
            raise NotAuthenticated(_INVALID) from error
        # `exp` is required and checked above; past it (and the leeway) it is checked again.
        return signed, float(claims["exp"]) + self._leeway.total_seconds()
