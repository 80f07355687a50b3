"""The ``destinations`` section of the config: Parquet and/or SQL, and the raw archive."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

__all__ = ["ArchiveConfig", "DestinationsConfig", "ParquetConfig", "SqlConfig"]

FROZEN = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
#: the value of a key that is not there (config.py's MISSING: shown as "(missing)")
MISSING = "\x00(missing)"


def invalid(allowed: str, value: Any, key: str = "") -> PydanticCustomError:
    """An error that reads ``<key path>: <value> is invalid; <allowed>`` (see config.py)."""
    return PydanticCustomError(
        "hs_invalid", "{allowed}", {"allowed": allowed, "value": value, "key": key}
    )


def line(text: str) -> PydanticCustomError:
    """An error whose line is ``text`` after the path of the place's parent."""
    return PydanticCustomError("hs_line", "{text}", {"text": text})


class ParquetConfig(BaseModel):
    model_config = FROZEN
    path: str = Field(description="a directory, or s3://, gs://, abfs://bucket/prefix")


class SqlConfig(BaseModel):
    model_config = FROZEN
    url: SecretStr = Field(description="sqlite:///…, postgresql+psycopg://…, duckdb:///…")
    db_schema: str | None = Field(
        default=None, alias="schema", description="PostgreSQL/DuckDB schema"
    )
    timeout: float = Field(default=300.0, gt=0, description="seconds any SQL transaction may take")

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, v: Any) -> Any:
        from ..errors import ConfigError
        from ..load.sql_engine import normalize_sql_url

        if not isinstance(v, str) or not v:
            raise ValueError("no url")
        try:
            return normalize_sql_url(v)
        except ConfigError as exc:
            raise line(str(exc).removeprefix("destinations.sql.")) from None

    @field_validator("db_schema")
    @classmethod
    def _schema(cls, v: str | None) -> str | None:
        if v is not None and not IDENT_RE.match(v):
            raise ValueError("not an identifier")
        return v


class ArchiveConfig(BaseModel):
    model_config = FROZEN
    path: str = Field(description="a directory: every answer kept, for rebuild")


class DestinationsConfig(BaseModel):
    """Parquet and/or SQL; the raw archive optionally."""

    model_config = FROZEN

    parquet: ParquetConfig | None = Field(
        default=None, description="Parquet datasets, on disk or in a bucket"
    )
    sql: SqlConfig | None = Field(default=None, description="SQLite, PostgreSQL or DuckDB")
    archive: ArchiveConfig | None = Field(
        default=None, description="every answer kept as received, for rebuild (optional)"
    )

    @field_validator("parquet", mode="after")
    @classmethod
    def _parquet(cls, v: ParquetConfig | None) -> ParquetConfig | None:
        from ..errors import ConfigError
        from ..load.storage import check_bucket_url

        if v is not None and "://" in v.path:
            try:
                check_bucket_url(v.path, "destinations.parquet.path")
            except ConfigError as exc:
                raise line(str(exc).removeprefix("destinations.")) from None
        return v

    @field_validator("archive", mode="after")
    @classmethod
    def _archive(cls, v: ArchiveConfig | None) -> ArchiveConfig | None:
        if v is not None and "://" in v.path:
            raise invalid(
                "allowed: a directory path (every answer kept, for rebuild)", v.path, "path"
            )
        return v

    @model_validator(mode="after")
    def _one(self) -> DestinationsConfig:
        from ..load.storage import is_bucket

        if self.parquet is None and self.sql is None:
            raise invalid("required: parquet: {path: …} and/or sql: {url: …}", MISSING)
        if self.parquet is not None and is_bucket(self.parquet.path) and self.sql is None:
            # A bucket can't hold a lock that dies with its process (a killed run would hold
            # it for ever), and pyarrow.fs has no conditional put: state and lock live in SQL.
            raise invalid(
                f"required with a bucket ({self.parquet.path}): state and the run lock live in "
                "SQL (sqlite:///hs_state.db will do), as a bucket can't hold a lock that dies "
                "with a killed run",
                MISSING,
                "sql",
            )
        return self
