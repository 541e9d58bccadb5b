"""Who may call what. Declared on fields; rows a user may not see are filtered in Cypher.

A refusal is raised from `has_permission` itself: permission objects are shared by all
requests, so the message cannot be kept on them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from kesher.codes import Code
from kesher.resolvers.context import Role
from kesher.resolvers.errors import ClientError
from kesher.schema.common import Info

SIGN_IN = "Sign in first: send 'Authorization: Bearer <token>' with a token from login."


class IsAuthenticated(BasePermission):
    roles: ClassVar[frozenset[Role]] = frozenset(Role)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        context = info.context
        if context.viewer is None:
            raise ClientError(context.auth_problem or SIGN_IN, code=Code.UNAUTHENTICATED)
        if context.viewer.role not in self.roles:
            names = " or ".join(sorted(role.value for role in self.roles))
            raise ClientError(f"Only {names} users may do this.", code=Code.FORBIDDEN)
        return True


class IsAdmin(IsAuthenticated):
    roles = frozenset({Role.ADMIN})


class IsManager(IsAuthenticated):
    roles = frozenset({Role.ADMIN, Role.MANAGER})
