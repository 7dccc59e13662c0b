"""Settings: one typed object, read from `AAIE_*` environment variables at start-up.

Nothing else in AAIE reads `os.environ`. A bad value fails fast with a message that names the
variable. Every setting is documented in docs/configuration.md.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AAIE_", env_file=None, extra="ignore")

    # --- storage -----------------------------------------------------------------------------
    data_dir: Path = Field(Path("./aaie-data"), description="SQLite file, stored files, secrets")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///<data_dir>/aaie.sqlite3"
    )
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None

    # --- auth ----------------------------------------------------------------------------------
    jwt_secret: SecretStr | None = Field(
        None, description="HS256 signing key; if unset, generated once and kept in the data dir"
    )
    jwt_previous_secrets: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="comma-separated older keys still accepted (rotation)"
    )
    access_token_ttl_s: int = Field(900, ge=60, le=86_400)
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    login_max_failures: int = Field(5, ge=1, description="failures per email+IP before lockout")
    login_lockout_s: int = Field(300, ge=1)

    # --- HTTP ----------------------------------------------------------------------------------
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_text_chars: int = Field(100_000, ge=1_000, description="longest submission text (413)")
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    max_json_bytes: int | None = Field(
        None,
        ge=1024,
        description="largest non-multipart body (413 before reading); default: json_body_limit",
    )
    rate_limit_per_minute: int = Field(60, ge=1, description="expensive routes, per user")
    redis_url: str | None = Field(None, description="shared rate-limit state (else in-memory)")
    keepalive_s: int = Field(
        75,
        ge=1,
        le=3600,
        description="idle keep-alive of client connections (longer than a proxy's or client's)",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    metrics_token: SecretStr | None = Field(
        None, description="bearer token that may read /metrics from any address"
    )
    metrics_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.0/8", "::1/128"],
        description="addresses/networks that may read /metrics without the token",
    )

    # --- jobs ----------------------------------------------------------------------------------
    job_backend: Literal["inline", "celery"] = "inline"
    celery_broker_url: str = "redis://127.0.0.1:6379/0"
    celery_result_backend: str | None = None
    evaluation_stale_s: float = Field(
        900.0, gt=0, description="a queued/running evaluation older than this may be re-run"
    )
    job_lease_s: float = Field(
        60.0, gt=0, description="a running job whose heartbeat is this old is requeued"
    )
    job_requeue_after_s: float = Field(
        300.0, gt=0, description="a queued evaluation nobody claimed for this long is re-sent"
    )
    job_reaper_interval_s: float = Field(15.0, gt=0, description="how often stale jobs are sought")
    job_max_attempts: int = Field(3, ge=1, description="claims of one evaluation before failing it")
    job_reaper_enabled: bool = Field(True, description="run the reaper in API processes")

    # --- engine --------------------------------------------------------------------------------
    onnx_threads: int = Field(
        0, ge=0, description="onnxruntime threads per process for embeddings; 0: min(2, cores)"
    )
    similarity_flag_pct: float = Field(40.0, ge=0, le=100)
    future_scoring: bool = Field(False, description="instance default for assignments' flag")
    redact_stored: bool = False
    llm_base_url: str | None = Field(None, description="OpenAI-compatible server, e.g. .../v1")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(30.0, gt=0)
    llm_max_retries: int = Field(2, ge=0, le=10)
    llm_deadline_s: float = Field(
        15.0, gt=0, description="total time an LLM stage may take, retries included"
    )
    llm_breaker_failures: int = Field(
        2, ge=1, description="consecutive failed LLM calls that open the circuit"
    )
    llm_breaker_cooldown_s: float = Field(
        60.0, gt=0, description="how long an open circuit skips the LLM server"
    )
    llm_response_format: Literal["json_schema", "json_object"] = Field(
        "json_schema", description="json_object for servers without JSON-schema support"
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("metrics_allow", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [n.strip() for n in value.split(",") if n.strip()]
        return value

    @field_validator("metrics_allow")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad entry
        return value

    @field_validator("jwt_previous_secrets", mode="before")
    @classmethod
    def _split_secrets(cls, value: object) -> object:
        if isinstance(value, str):
            return [s.strip() for s in value.split(",") if s.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("AAIE_S3_BUCKET is required when AAIE_STORAGE_BACKEND=s3")
        if bool(self.admin_email) != bool(self.admin_password):
            raise ValueError("set both AAIE_ADMIN_EMAIL and AAIE_ADMIN_PASSWORD, or neither")
        if self.llm_base_url and not self.llm_model:
            raise ValueError("AAIE_LLM_MODEL is required when AAIE_LLM_BASE_URL is set")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'aaie.sqlite3').resolve()}"

    @property
    def json_body_limit(self) -> int:
        """Bytes a non-multipart body may have: text, prompt and a chat log twice as long, each
        escaped up to six bytes a character (\\uXXXX), plus room for the other fields."""
        if self.max_json_bytes is not None:
            return self.max_json_bytes
        return 24 * self.max_text_chars + 64 * 1024

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings
