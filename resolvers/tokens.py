"""Signed, expiring bearer tokens (JWT, HS256)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from kesher.resolvers.context import Role, Viewer

ALGORITHM = "HS256"
AUDIENCE = "kesher"


class TokenProblem(Exception):
    """Why a presented token was not accepted, in words for the caller."""


def issue(viewer: Viewer, key: str, ttl_seconds: int) -> tuple[str, datetime]:
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=ttl_seconds)
    claims = {
        "sub": viewer.id,
        "role": viewer.role.value,
        "aud": AUDIENCE,
        "iat": now,
        "exp": expires,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM), expires


def read(token: str, key: str) -> Viewer:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "sub"]},
        )
        return Viewer(id=str(claims["sub"]), role=Role(claims["role"]))
    except jwt.ExpiredSignatureError as error:
        raise TokenProblem("The bearer token has expired; sign in again with login.") from error
    except (jwt.InvalidTokenError, KeyError, ValueError) as error:
        raise TokenProblem("The bearer token is not valid; sign in again with login.") from error


def from_header(authorization: str | None, key: str) -> Viewer | None:
    """The viewer named by an `Authorization: Bearer …` header, or None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenProblem("The Authorization header must read 'Bearer <token>'.")
    return read(token.strip(), key)
