"""The ``reports`` entries of the config: a report's name, and the settings that slice it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema, model_validator

from ..api.catalog import RANGES, REPORTS
from .config_destinations import FROZEN, invalid

__all__ = ["IDS", "RATINGS", "SLICE_KEYS", "ReportConfig", "default_report", "ids"]

RATINGS = ("great", "ok", "not-good", "all")
#: ids as the schema shows them: one, or a list of them
IDS = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "array", "items": {"type": "integer", "minimum": 1}},
    ]
}

#: report → config keys it takes besides ``name`` (what splits it into slices)
SLICE_KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(
        key
        for key, param in (
            ("users", "user"),
            ("field", "field"),
            ("field_ids", "field_id"),
            ("range", "range"),
            ("range_ids", "range_id"),
            ("rating", "rating"),
            ("status", "status"),
        )
        if spec.accepts(param)
    )
    for name, spec in REPORTS.items()
}


def _name_or_object(schema: dict[str, Any]) -> None:
    """An entry is a report's name (or all) or an object: the schema says both."""
    entry = dict(schema)
    schema.clear()
    schema["anyOf"] = [{"enum": ["all", *sorted(REPORTS)]}, entry]


class ReportConfig(BaseModel):
    """One report and how it is sliced. ``"all"`` means: every user and team / every tag."""

    model_config = FROZEN.copy()
    model_config["json_schema_extra"] = _name_or_object

    name: Annotated[str, WithJsonSchema({"enum": sorted(REPORTS)})] = Field(
        description="the report (hs-extract reports lists them)"
    )
    users: Annotated[
        tuple[int, ...] | Literal["all"] | None, WithJsonSchema({"anyOf": [IDS, {"const": "all"}]})
    ] = Field(default=None, description="user reports: user and team ids, or all of them")
    field: Literal["tagid", "replyid", "workflowid", "customerid"] | None = Field(
        default=None, description="conversations_drilldown_by_field: what the ids are"
    )
    field_ids: Annotated[
        tuple[int, ...] | Literal["all"] | None, WithJsonSchema({"anyOf": [IDS, {"const": "all"}]})
    ] = Field(default=None, description="those ids, or all (every tag)")
    range: Annotated[str | None, WithJsonSchema({"enum": list(RANGES)})] = Field(
        default=None, description="company_drilldown: the histogram"
    )
    range_ids: Annotated[tuple[int, ...] | None, WithJsonSchema(IDS)] = Field(
        default=None, description="its buckets (default: every one)"
    )
    rating: Annotated[
        tuple[Literal["great", "ok", "not-good", "all"], ...],
        WithJsonSchema(
            {
                "anyOf": [
                    {"enum": list(RATINGS)},
                    {"type": "array", "items": {"enum": list(RATINGS)}},
                ]
            }
        ),
    ] = Field(default=(), description="ratings reports: which ratings")
    status: Literal["active", "pending", "closed"] | None = Field(
        default=None, description="user_conversation_history: conversation status"
    )

    @model_validator(mode="before")
    @classmethod
    def _entry(cls, item: Any) -> Any:
        """A name, or a mapping with a name and this report's settings (defaults: every
        user and team, every tag, every rating)."""
        if isinstance(item, ReportConfig):
            return item
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or "name" not in item:
            raise invalid("allowed: a report name, all, or a mapping with a name", item)
        name = item["name"]
        if name not in REPORTS:
            raise invalid(_unknown_report(name), name, "name" if len(item) > 1 else "")
        allowed = SLICE_KEYS[name]
        for k in item:
            if k != "name" and k not in allowed:
                keys = ", ".join(("name", *allowed))
                raise invalid(f"not a setting of {name}; allowed: {keys}", item[k], k)
        return _with_defaults(name, item)

    @model_validator(mode="after")
    def _slices(self) -> ReportConfig:
        if self.range is not None and self.range not in RANGES:
            raise invalid(f"allowed: {', '.join(RANGES)}", self.range, "range")
        if self.range_ids is not None and self.range is None:
            raise invalid("needs range", list(self.range_ids), "range_ids")
        if self.field_ids == "all" and self.field not in (None, "tagid"):
            raise invalid(f"`all` lists tags only; give ids for {self.field}", "all", "field_ids")
        return self


def ids(v: Any) -> tuple[int, ...]:
    """A list of positive ids (one id alone is a list of one); ValueError otherwise."""
    items = v if isinstance(v, (list, tuple)) else [v]
    if all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in items):
        return tuple(items)
    raise ValueError("not ids")


def _unknown_report(name: Any) -> str:
    import difflib

    close = difflib.get_close_matches(str(name), list(REPORTS), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return "unknown report; `hs-extract reports` lists the 32 names, or all" + hint


def _with_defaults(name: str, item: dict[str, Any]) -> dict[str, Any]:
    keys = SLICE_KEYS[name]
    out: dict[str, Any] = {
        "name": name,
        "users": "all" if "users" in keys else None,
        "field": "tagid" if "field" in keys else None,
        "field_ids": "all" if "field_ids" in keys else None,
        "rating": ("all",) if "rating" in keys else (),
    }
    for k, v in item.items():
        if k in ("users", "field_ids", "range_ids") and v not in ("all", None):
            try:
                v = ids(v)
            except ValueError:
                raise invalid("allowed: a list of positive integer ids", v, k) from None
        if k == "rating":
            v = (v,) if isinstance(v, str) else v
        out[k] = v
    return out


def default_report(name: str) -> ReportConfig:
    """How ``all`` (or a bare name) slices a report: every user and team, every tag."""
    return ReportConfig.model_validate(name)
