"""Service settings, read from the environment and an optional `.env` file."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

import limits
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "kesher"


class Settings(BaseSettings):
    """Everything the service can be configured with.

    Neo4j's own variables (`NEO4J_URI`, `NEO4J_USER`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`)
    are read as they are; everything else is prefixed `KESHER_`.
    """

    model_config = SettingsConfigDict(
        env_prefix="KESHER_", env_file=".env", extra="ignore", populate_by_name=True
    )

    environment: Literal["development", "production"] = "development"

    # Where `kesher run` serves the API; the conventional PORT is read when KESHER_PORT
    # is not set (platforms that assign the port set PORT).
    host: str = "127.0.0.1"
    port: int = Field(
        default=8000, ge=1, le=65535, validation_alias=AliasChoices("KESHER_PORT", "PORT")
    )

    neo4j_uri: str | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_URI", "KESHER_NEO4J_URI")
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "NEO4J_USERNAME")
    )
    neo4j_password: SecretStr = Field(
        default=SecretStr(""), validation_alias=AliasChoices("NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE"))

    # The local Neo4j started when no NEO4J_URI is set.
    neo4j_version: str = "5.26.30"
    neo4j_home: Path = PROJECT_DIR / ".kesher" / "neo4j"
    neo4j_bolt_port: int = 7687
    neo4j_http_port: int = 7474
    neo4j_heap: str = "4g"
    neo4j_pagecache: str = "6g"
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    java_home: Path | None = None

    secret_key: SecretStr | None = None
    token_ttl_seconds: int = Field(default=8 * 3600, gt=0)

    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    default_page_size: int = 20
    max_page_size: int = 100
    max_body_bytes: int = 1_000_000
    # The most objects an operation's answer may hold, counted from the document before it
    # runs (see `kesher.schema.cost`); dearer operations are refused.
    max_query_cost: int = Field(default=200_000, ge=1)
    # The most object and list fields an operation may select, each a subquery of the
    # statement that answers it (see `kesher.schema.limits`); broader ones are refused.
    max_query_breadth: int = Field(default=50, ge=1)
    cypher_timeout_seconds: float = 10.0
    # The whole of a request (every statement it runs and its answer's making): past it,
    # the work is cancelled, Neo4j stops the transaction and DEADLINE_EXCEEDED is answered.
    request_deadline_seconds: float = Field(default=10.0, gt=0)
    # The largest answer sent; a larger one is replaced by a RESPONSE_TOO_LARGE error.
    max_response_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Queries sent again are run as prepared queries (`kesher.schema.prepared`), skipping
    # Strawberry's per-request machinery; false sends every request the full way.
    compiled_queries: bool = True

    # Relation maps and paths (bounded: rule 4 of the architecture).
    map_default_depth: int = Field(default=2, ge=1)
    map_max_depth: int = Field(default=4, ge=1)
    map_default_limit: int = Field(default=200, ge=1)
    map_max_limit: int = Field(default=1000, ge=1)
    map_max_roots: int = Field(default=50, ge=1)
    map_links_per_level: int = Field(default=5000, ge=1)
    path_default_depth: int = Field(default=4, ge=1)
    path_max_depth: int = Field(default=6, ge=1)

    # Network analytics read at most this many links in one statement; past it the answer
    # says it was truncated (its groups and connectors are those of the links read).
    analytics_max_links: int = Field(default=20_000, ge=1)
    # A neighbourhood timeline gathers the records this many links away at most (1 to 3),
    # and at most this many of them, the nearest first.
    timeline_max_hops: int = Field(default=3, ge=1, le=3)
    timeline_max_records: int = Field(default=500, ge=1)

    # Processes (R4.3): children one run may make, nodes one tree answer holds.
    process_max_children: int = Field(default=5000, ge=1)
    process_max_nodes: int = Field(default=2000, ge=1)

    # Attachments (R4.1): content kept by SHA-256 in this folder; larger uploads are refused.
    attachments_dir: Path = PROJECT_DIR / ".kesher" / "attachments"
    max_attachment_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    # Files in that folder no attachment refers to (left by an interrupted upload) are
    # removed once older than this, at startup and every interval (0: never).
    orphan_upload_age_seconds: float = Field(default=3600.0, gt=0)
    orphan_sweep_interval_seconds: float = Field(default=3600.0, ge=0)

    # CSV imports: the most rows one file may hold, how long its one transaction may take,
    # and how long `importCsv` waits for it before answering with the job still running.
    import_max_rows: int = Field(default=200_000, ge=1)
    import_timeout_seconds: float = Field(default=600.0, gt=0)
    import_wait_seconds: float = Field(default=5.0, ge=0)
    # How long an `exportLink` address works.
    export_link_ttl_seconds: int = Field(default=300, gt=0)
    # The rows an import job keeps to report of those it refused.
    import_max_reported_rejects: int = Field(default=10_000, ge=1)

    # Outgoing mail (R3.3, R4.2): the SMTP server `sendEmail` and assignment mails go through.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "Kesher <kesher@localhost>"
    # The link a mail gives to a record; `{id}` is replaced by the record's id. Unset, it
    # is this service's own `/records/{id}` (GraphiQL with the record, in development).
    record_link: str = ""

    # Incoming mail: the service's own SMTP listener (off unless a port is set). Mail to it
    # is filed on the records whose contacts' addresses appear in it.
    inbound_smtp_host: str = "127.0.0.1"
    inbound_smtp_port: int | None = Field(default=None, ge=0, le=65535)

    # Task reminders: how often each API process looks for tasks that fell due (0: never).
    reminder_interval_seconds: float = Field(default=30.0, ge=0)

    # Denial of service: how long /readyz waits for Neo4j before answering 503; how long a
    # client may take to send a request's headers, and may leave its body stalled, before
    # its connection is closed; how many connections and requests one process serves at
    # once (more are answered 503).
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    http_header_timeout_seconds: float = Field(default=10.0, gt=0)
    http_body_timeout_seconds: float = Field(default=30.0, gt=0)
    http_max_connections: int = Field(default=2000, ge=1)

    # Login throttling (`kesher.resolvers.login_throttle`): wrong guesses allowed per
    # account and per client address, in `limits` notation ("5/minute", "20 per hour"),
    # counted in this process's memory or in a storage such as redis://host:6379/0.
    login_attempts_per_account: str = "5/minute"
    login_attempts_per_address: str = "20/minute"
    rate_limit_storage: str = "memory://"

    # Subscriptions: events go through Redis pub/sub when set (several API processes),
    # else stay inside the process.
    redis_url: str | None = None
    # The most subscriptions one user may have open at once in one API process; the next
    # is refused with TOO_MANY_SUBSCRIPTIONS until one ends.
    max_subscriptions_per_user: int = Field(default=100, ge=1)

    # Observability. Logs: `text` for a terminal, `json` (one object a line, with the
    # request id) for a log collector. `/metrics` is open to anyone who reaches the port
    # while no token is set; with one, Prometheus must send it as a bearer token.
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    metrics_token: SecretStr | None = None

    @field_validator("login_attempts_per_account", "login_attempts_per_address")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError as error:
            raise ValueError(f"{value!r} is not a rate such as '5/minute'") from error
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key is None:
            raise ValueError("KESHER_SECRET_KEY must be set in production")
        return self

    @model_validator(mode="after")
    def _record_link_defaults_to_this_service(self) -> Settings:
        if not self.record_link:
            host = "localhost" if self.host in ("0.0.0.0", "::", "") else self.host
            host = f"[{host}]" if ":" in host else host
            self.record_link = f"http://{host}:{self.port}/records/{{id}}"
        return self

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @cached_property
    def signing_key(self) -> str:
        """The key tokens are signed with.

        In development without KESHER_SECRET_KEY a random key is kept in the project's
        `.kesher` folder, so tokens survive restarts and are shared by all workers.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.neo4j_home.parent / "secret-key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
