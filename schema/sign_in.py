"""Signing in."""

from __future__ import annotations

import strawberry

from kesher.resolvers import auth
from kesher.resolvers.errors import Refusal
from kesher.schema.common import Info, error_of
from kesher.schema.record_payloads import LoginPayload, LoginSuccess
from kesher.schema.root_fields import saved_record


@strawberry.type(description="Signing in.")
class SignInMutations:
    @strawberry.mutation(
        description="Signs in with e-mail and password; returns a bearer token. After too "
        "many failed attempts for the account or from the client's address, an attempt is "
        "refused unchecked with a `TOO_MANY_ATTEMPTS` error whose `retryAfterSeconds` says "
        "how long to wait."
    )
    async def login(self, info: Info, email: str, password: str) -> LoginPayload:
        outcome = await auth.login(info.context, email, password, saved_record(info, "user"))
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        token, expires, user = outcome
        return LoginSuccess(token=token, expires_at=expires, user=user)
