"""The ASGI application: Starlette routes, the GraphQL endpoint and the driver's lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from opentelemetry.sdk.trace import TracerProvider
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from kesher import exports, graphiql, logs, metrics, pages, tracing, transport
from kesher.codes import Code
from kesher.graph.catalog import load_keys
from kesher.graph.constraints import apply_constraints
from kesher.graph.driver import Graph, connect, trace_statements
from kesher.middleware import BodyLimitMiddleware, RequestIdMiddleware
from kesher.resolvers import inbound, orphan_uploads, reminders
from kesher.resolvers.broadcast import broadcasting
from kesher.resolvers.context import Context
from kesher.resolvers.login_throttle import throttling
from kesher.resolvers.subscription_access import SubscriptionSlots
from kesher.resolvers.tokens import TokenProblem, from_header
from kesher.routes import attachment, calendar_feed, healthz, readyz
from kesher.schema.permissions import SIGN_IN
from kesher.schema.prepared import PreparedQueries
from kesher.schema.schema import build_schema, masked
from kesher.settings import Settings

logger = logging.getLogger("kesher.app")
error_log = logging.getLogger("kesher.errors")


@dataclass
class SocketContext(Context):
    """A WebSocket connection's context: Strawberry puts the `connection_init` payload here."""

    connection_params: dict[str, object] | None = None


class _SocketAdapter(ASGIWebSocketAdapter):
    """Closes a connection refused at sign-in (4403) with the reason, not only "Forbidden"."""

    async def close(self, code: int, reason: str) -> None:
        refusal = getattr(self.ws.state, "refusal", None) if code == 4403 else None
        await super().close(code, refusal or reason)


class KesherGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = _SocketAdapter

    def __init__(self, settings: Settings) -> None:
        schema = build_schema(settings)
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.development else None,
            allow_queries_via_get=True,
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self.prepared = PreparedQueries(schema, settings) if settings.compiled_queries else None

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page()

    # Answers are encoded and requests decoded with orjson, several times quicker than the
    # standard library's json on a page of cards. Text, not bytes: WebSocket frames of
    # `graphql-transport-ws` must be text.
    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        return self._encoded(data).decode()

    def _encoded(self, data: object) -> bytes:
        """Every answer, over HTTP or in a WebSocket frame, is encoded here; one over the
        size cap is replaced by a `RESPONSE_TOO_LARGE` error before it is sent (or copied
        into text)."""
        encoded = orjson.dumps(data)
        cap = self.settings.max_response_bytes
        if len(encoded) > cap:
            logger.warning("an answer of %d bytes was over the cap of %d", len(encoded), cap)
            encoded = orjson.dumps(transport.too_large(data, len(encoded), cap))
        return encoded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serves GraphQL over HTTP (see `kesher.transport`); a request refused or failed
        before execution is answered as GraphQL errors in the negotiated media type, an
        unexpected failure masked and logged as in execution."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media = transport.media_type(request.headers.get("accept"))
        executes = request.method == "POST" or "query" in request.query_params
        try:
            if executes and transport.could_be_cross_site(request.method, request.headers):
                raise transport.cross_site()
            response = await self._prepared_answer(request) or await self.run(request)
        except transport.Refusal as refusal:
            response = _answer(
                transport.refusal_answer(refusal), media, refusal.status, refusal.headers
            )
        except HTTPException as error:
            turned = transport.Refusal(error.status_code, error.reason)
            if error.status_code == 405:
                turned.code, turned.headers = Code.METHOD_NOT_ALLOWED, {"Allow": "GET, POST"}
            response = _answer(
                transport.refusal_answer(turned), media, turned.status, turned.headers
            )
        except Exception as error:
            request_id = logs.request_id.get()
            error_log.error(
                "unexpected error (request %s) before execution", request_id, exc_info=error
            )
            answer = {"errors": [masked(GraphQLError(str(error)), request_id).formatted]}
            response = _answer(answer, media, 500)
        await response(scope, receive, send)

    async def _prepared_answer(self, request: Request) -> Response | None:
        """The answer to a query sent as a plain GET or a JSON POST, run as a prepared
        query (`kesher.schema.prepared`); None for a request the full path must answer."""
        if self.prepared is None:
            return None
        data = await _plain_request(request)
        if data is None:
            return None
        query, variables, operation_name = data
        prepared = self.prepared.prepare(query, operation_name)
        if prepared is None:
            return None
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        result = await self.prepared.run(prepared, variables, context)
        if result is None:
            return None
        answer = await self.process_result(request, result)
        return self.create_response(answer, sub_response)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):
            transport.check_operation_name(data.operation_name)
        return data

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Runs queries from GET, queries and mutations from POST; a mutation over GET is
        refused with 405 and a subscription over HTTP with where to send it instead."""
        allowed = {OperationType.QUERY}
        if request_adapter.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type != OperationType.SUBSCRIPTION:
                raise transport.mutation_over_get() from error
            return _request_error(
                transport.SUBSCRIPTIONS_OVER_WEBSOCKET, Code.SUBSCRIPTION_OVER_HTTP
            )
        except CannotGetOperationTypeError as error:
            return _request_error(error.as_http_error_reason(), Code.BAD_REQUEST)
        except MissingQueryError as error:
            raise transport.Refusal(400, "query: the request has no GraphQL document.") from error

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        answer = await super().process_result(request, result)
        if transport.is_request_error(result.data, result.errors or ()):
            del answer["data"]
        return answer

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        # As Strawberry's own, but the answer's bytes go out as they are, not through text.
        response = Response(self._encoded(response_data), media_type=transport.JSON)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        if isinstance(response_data, dict):
            metrics.note_answer(response_data)
        media = sub_response.media_type or transport.JSON
        response.headers["content-type"] = media
        if not sub_response.status_code and isinstance(response_data, dict):
            response.status_code = transport.status_of(media, response_data)
        return response

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Signs a WebSocket connection in at `connection_init`, with the token of its
        payload (`Authorization` or `authorization`), else of the upgrade request's header.
        Without a valid one the connection is closed with 4403 and the reason."""
        params = (context.connection_params if isinstance(context, SocketContext) else None) or {}
        given = params.get("Authorization", params.get("authorization"))
        if given is not None:
            try:
                context.viewer = from_header(str(given), self.settings.signing_key)
                context.auth_problem = None
            except TokenProblem as problem:
                context.viewer, context.auth_problem = None, str(problem)
        if context.viewer is None:
            context.request.state.refusal = context.auth_problem or SIGN_IN
            raise ConnectionRejectionError
        return UnsetType()  # acknowledged with no payload

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        kind = SocketContext if isinstance(request, WebSocket) else Context
        if isinstance(response, Response):
            response.media_type = transport.media_type(request.headers.get("accept"))
        context = kind(
            request=request,
            response=response if isinstance(response, Response) else None,
            graph=request.app.state.graph,
            settings=self.settings,
            request_id=logs.request_id.get(),
        )
        try:
            context.viewer = from_header(
                request.headers.get("authorization"), self.settings.signing_key
            )
        except TokenProblem as problem:
            context.auth_problem = str(problem)
        return context


def _answer(
    answer: Mapping[str, object], media: str, status: int, headers: dict[str, str] | None = None
) -> Response:
    metrics.note_answer(answer)
    return Response(orjson.dumps(answer), status, headers, media_type=media)


async def _plain_request(request: Request) -> tuple[str, dict[str, Any], str | None] | None:
    """The document, variables and operation name of a GET with a `query` or a POST of
    `application/json`, when they are all of the types GraphQL over HTTP asks for and
    nothing else is sent; None for any other request (the full path answers it)."""
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != transport.JSON:
            return None
        try:
            data = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
    elif request.method == "GET" and "query" in request.query_params:
        data = dict(request.query_params)
        if data.get("variables"):
            try:
                data["variables"] = orjson.loads(data["variables"])
            except orjson.JSONDecodeError:
                return None
    else:
        return None
    if not isinstance(data, dict) or not data.keys() <= {"query", "variables", "operationName"}:
        return None
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not query:
        return None
    if not (variables is None or isinstance(variables, dict)):
        return None
    if not (name is None or isinstance(name, str)):
        return None
    return query, variables or {}, name


def _request_error(message: str, code: Code) -> ExecutionResult:
    """An error that stops a request before execution, answered like a validation error."""
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


def create_app(
    settings: Settings | None = None, tracer_provider: TracerProvider | None = None
) -> Starlette:
    """The app. Requests are traced to `tracer_provider` when given, else to the OTLP
    endpoint the environment names (`kesher.tracing`), else not at all."""
    settings = settings or Settings()
    logs.configure(settings.log_level, settings.log_format)
    graphql = KesherGraphQL(settings)
    observed = metrics.Metrics()
    own_provider = None if tracer_provider else tracing.provider_from_environment()
    provider = tracer_provider or own_provider

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not settings.neo4j_uri:
            raise RuntimeError(
                "NEO4J_URI is not set. Run `kesher run` (or `make run`), which starts a local "
                "Neo4j, or point NEO4J_URI at a running server."
            )
        # Everything started here is stopped on the way out, in reverse order.
        async with AsyncExitStack() as services:
            if own_provider is not None:
                services.callback(own_provider.shutdown)
            trace_statements(provider.get_tracer("kesher.graph") if provider else None)
            services.callback(trace_statements, None)
            driver = connect(
                settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password.get_secret_value()
            )
            services.push_async_callback(driver.close)
            await apply_constraints(driver, settings.neo4j_database)
            graph = Graph(driver, settings.neo4j_database, settings.cypher_timeout_seconds)
            graph.timed = observed.neo4j_call
            await load_keys(graph)
            app.state.graph = graph
            app.state.settings = settings
            app.state.login_throttle = await services.enter_async_context(throttling(settings))
            # The service's background parts (subscriptions' broadcaster, the inbound mail
            # listener, the reminder scheduler) start here.
            app.state.broadcaster = await services.enter_async_context(broadcasting(settings))
            graph.on_commit = app.state.broadcaster.publish
            if settings.reminder_interval_seconds > 0:
                await services.enter_async_context(
                    reminders.scheduler(graph, settings.reminder_interval_seconds)
                )
            if settings.orphan_sweep_interval_seconds > 0:
                await services.enter_async_context(
                    orphan_uploads.sweeping(
                        graph,
                        settings.attachments_dir,
                        settings.orphan_upload_age_seconds,
                        settings.orphan_sweep_interval_seconds,
                    )
                )
            if settings.inbound_smtp_port is not None:
                app.state.inbound_smtp_port = await services.enter_async_context(
                    inbound.listening(graph, settings)
                )
            yield

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/calendar/{user_id}.ics", calendar_feed),
            Route("/attachments/{attachment_id}", attachment),
            Route("/readyz", readyz),
            Route("/metrics", metrics.exposition),
            graphiql.record_route(),
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            *([graphiql.assets()] if settings.development else []),
            *pages.routes(),
            *exports.routes(),
        ],
        lifespan=lifespan,
    )
    app.state.metrics = observed
    app.state.subscription_slots = SubscriptionSlots(settings.max_subscriptions_per_user)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_bytes=settings.max_attachment_bytes,
    )
    app.add_middleware(metrics.ObservedRequests, metrics=observed)
    app.add_middleware(RequestIdMiddleware)
    if provider is not None:
        tracing.trace_requests(app, provider)
    return app
