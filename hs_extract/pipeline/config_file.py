"""Reading a config file: YAML, ``${VAR}`` from the environment, the model, every problem at once.

Every problem is reported with its key path, the value as written and what is allowed, in one
ConfigError, before anything is fetched or written. The result is the frozen model of
:mod:`.config`; :func:`schema` is its JSON Schema (``hs-extract config schema``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import ConfigError
from .config import Config
from .config_errors import Problems, lines, shown, unknown_key

__all__ = ["API", "CREDENTIALS", "load_config", "parse_config", "schema"]

CREDENTIALS = ("client_id", "client_secret")
#: what a command needs of the credentials: all of them to call the API
API = CREDENTIALS
ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
TOP_KEYS = tuple(Config.model_fields)
#: where a config names the schema for editors (yaml-language-server reads this comment)
SCHEMA_COMMENT = "# yaml-language-server: $schema="


def _expand(value: Any, key: str, problems: Problems) -> Any:
    """``${VAR}`` and ``${VAR:-default}`` in every string of the tree."""
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            problems.note(
                key,
                f"{key}: environment variable {name} is not set; export it or give a default "
                f"as ${{{name}:-value}}",
            )
            return ""

        return ENV_RE.sub(sub, value)
    if isinstance(value, Mapping):
        return {k: _expand(v, f"{key}.{k}" if key else str(k), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, f"{key}[{i}]", problems) for i, v in enumerate(value)]
    return value


def parse_config(raw: Any, path: Path | None = None, needs: tuple[str, ...] = API) -> Config:
    """A validated Config from parsed YAML; one ConfigError listing every problem.
    ``needs``: the credentials the command needs (``state`` and ``runs`` none, ``rebuild``
    the client id that names the account's archive); the others may be missing."""
    waived = frozenset(f"source.{k}" for k in CREDENTIALS if k not in needs)
    problems = Problems(waived)
    if not isinstance(raw, Mapping):
        what = "is empty" if raw is None else f"is a YAML {type(raw).__name__}"
        raise ConfigError(
            f"{path or 'config'}: the config {what}; allowed: a YAML mapping with "
            f"{', '.join(TOP_KEYS)} (hs-extract init writes a starter config with every key)"
        )
    for k in raw:
        if k not in TOP_KEYS:
            problems.note(
                str(k), f"{k}: {shown(raw[k])} is invalid; {unknown_key(str(k), list(TOP_KEYS))}"
            )
    expanded = _expand({k: v for k, v in raw.items() if k in TOP_KEYS}, "", problems)
    config = None
    try:
        config = Config.model_validate(expanded, context={"needs": needs})
    except ValidationError as exc:
        for text in lines(exc, expanded):
            key = text.split(":", 1)[0].split("=", 1)[0]
            problems.note(key, text)
    if len(problems.items) == 1:  # the usual case: one line
        raise ConfigError(f"{path}: {problems.items[0]}" if path else problems.items[0])
    if problems.items or config is None:
        where = f" in {path}" if path else ""
        raise ConfigError(
            f"{len(problems.items)} problems{where}, one a line:\n  " + "\n  ".join(problems.items)
        )
    return config.read_from(path)


def load_config(path: str | Path, needs: tuple[str, ...] = API) -> Config:
    """Read, expand and validate a YAML config file (``needs``: see :func:`parse_config`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"config: {path}{where}: {problem}") from None
    return parse_config(raw, path, needs)


def schema() -> str:
    """The config's JSON Schema (draft 2020-12), for editors: ``hs-extract config schema``."""
    body = Config.model_json_schema(mode="validation")
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **body,
        "title": "hs_extract config",
        "description": (
            "hs-extract init writes a starter config with every key, its default and meaning"
        ),
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
