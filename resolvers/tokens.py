"""Signed, expiring bearer tokens (JWT, HS256)."""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from kesher.resolvers.context import Role, Viewer

ALGORITHM = "HS256"
AUDIENCE = "kesher"
# A download link's token opens one CSV export and nothing else; a bearer token is not
# accepted in a link, so a session token never ends up in an address bar or a log.
DOWNLOAD_AUDIENCE = "kesher-download"


class TokenProblem(Exception):
    """Why a presented token was not accepted, in words for the caller."""


def issue(viewer: Viewer, key: str, ttl_seconds: int) -> tuple[str, datetime]:
    return _signed(viewer, key, ttl_seconds, {"aud": AUDIENCE})


def _signed(
    viewer: Viewer, key: str, ttl_seconds: int, extra: dict[str, str]
) -> tuple[str, datetime]:
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=ttl_seconds)
    claims = {
        "sub": viewer.id,
        "role": viewer.role.value,
        "ver": viewer.version,
        "iat": now,
        "exp": expires,
        **extra,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM), expires


# Tokens already verified, with their expiry: a client sends the same token with every
# request, and checking its signature again costs more than the rest of reading it.
# Keyed by the token and the key together, so a changed key verifies afresh.
_VERIFIED: OrderedDict[tuple[str, str], tuple[Viewer, float]] = OrderedDict()
_VERIFIED_MAX = 4096


def read(token: str, key: str) -> Viewer:
    known = _VERIFIED.get((token, key))
    if known is not None:
        viewer, expires = known
        if time.time() < expires:
            _VERIFIED.move_to_end((token, key))
            return viewer
        del _VERIFIED[(token, key)]
    viewer, expires = _verify(token, key)
    _VERIFIED[(token, key)] = (viewer, expires)
    if len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)
    return viewer


def _verify(token: str, key: str) -> tuple[Viewer, float]:
    try:
        viewer, _ = _decoded(token, key, AUDIENCE, ["exp", "sub"])
        assert viewer.expires is not None
        return viewer, viewer.expires
    except jwt.ExpiredSignatureError as error:
        raise TokenProblem("The bearer token has expired; sign in again with login.") from error
    except (jwt.InvalidTokenError, KeyError, ValueError) as error:
        raise TokenProblem("The bearer token is not valid; sign in again with login.") from error


def _decoded(
    token: str, key: str, audience: str, required: list[str]
) -> tuple[Viewer, dict[str, Any]]:
    """The viewer a token names, and its claims; jwt's errors, KeyError or ValueError when
    it names none."""
    claims = jwt.decode(
        token, key, algorithms=[ALGORITHM], audience=audience, options={"require": required}
    )
    version = claims.get("ver", 0)
    if type(version) is not int:
        raise ValueError("the token version is not a whole number")
    viewer = Viewer(str(claims["sub"]), Role(claims["role"]), version, float(claims["exp"]))
    return viewer, claims


def from_header(authorization: str | None, key: str) -> Viewer | None:
    """The viewer named by an `Authorization: Bearer …` header, or None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenProblem("The Authorization header must read 'Bearer <token>'.")
    return read(token.strip(), key)


def issue_download(viewer: Viewer, name: str, key: str, ttl_seconds: int) -> tuple[str, datetime]:
    """A token for a link to the export `name`, as `viewer`, good for `ttl_seconds`."""
    return _signed(viewer, key, ttl_seconds, {"aud": DOWNLOAD_AUDIENCE, "export": name})


def read_download(token: str, name: str, key: str) -> Viewer:
    """The viewer a download link's token names, when it is for the export `name`."""
    try:
        viewer, claims = _decoded(token, key, DOWNLOAD_AUDIENCE, ["exp", "sub", "export"])
        if claims["export"] != name:
            raise ValueError("the link is for another export")
        return viewer
    except jwt.ExpiredSignatureError as error:
        raise TokenProblem("The download link has expired; ask for a new one.") from error
    except (jwt.InvalidTokenError, KeyError, ValueError) as error:
        raise TokenProblem("The download link is not valid; ask for a new one.") from error
