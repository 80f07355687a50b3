"""The 32 report methods, typed for editors and type checkers (generated: do not edit).

Written by ``python -m hs_extract.api.signatures`` from the catalog; tests/test_methods.py
fails when they disagree. Each method sends one request and returns its parsed JSON;
``help(client.get_company)`` lists the parameters with their meaning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal, TypedDict, Unpack

from .catalog import ReportSpec

__all__ = ["DateLike", "ReportMethods"]

#: a date parameter: a datetime (UTC when naive), a date, or ISO text
DateLike = dt.datetime | dt.date | str


class CompanyParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str


class CompanyCustomersHelpedParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    view_by: Literal["day", "week", "month"]


class CompanyDrilldownParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    page: int
    rows: int
    range: Literal[
        "replies",
        "firstReplyResolved",
        "resolved",
        "responseTime",
        "firstResponseTime",
        "handleTime",
    ]
    range_id: int


class ConversationsDrilldownParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    page: int
    rows: int


class ConversationsDrilldownByFieldParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    field: Literal["tagid", "replyid", "workflowid", "customerid"]
    field_id: int
    page: int
    rows: int


class DocsParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    sites: Sequence[str] | str


class HappinessRatingsParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    page: int
    sort_field: Literal["number", "modifiedAt", "rating"]
    sort_order: Literal["ASC", "DESC"]
    rating: Literal["great", "ok", "all", "not-good"]


class ProductivityParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    office_hours: bool


class ProductivityFirstResponseTimeParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    office_hours: bool
    view_by: Literal["day", "week", "month"]


class UserParams(TypedDict, total=False):
    user: int
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    office_hours: bool


class UserConversationHistoryParams(TypedDict, total=False):
    user: int
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    status: Literal["active", "pending", "closed"]
    office_hours: bool
    page: int
    sort_field: Literal["number", "repliesSent", "responseTime", "resolveTime"]
    sort_order: Literal["ASC", "DESC"]


class UserCustomersHelpedParams(TypedDict, total=False):
    user: int
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    view_by: Literal["day", "week", "month"]


class UserDrilldownParams(TypedDict, total=False):
    user: int
    start_date: DateLike
    end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    page: int
    rows: int


class UserHappinessParams(TypedDict, total=False):
    user: int
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str


class UserHappinessDrilldownParams(TypedDict, total=False):
    user: int
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    types: Sequence[Literal["email", "chat", "phone"]] | str
    folders: Sequence[int] | int | str
    page: int
    sort_field: Literal["number", "modifiedAt", "rating"]
    sort_order: Literal["ASC", "DESC"]
    rating: Literal["great", "ok", "all", "not-good"]


class ChatParams(TypedDict, total=False):
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    folders: Sequence[int] | int | str
    office_hours: bool


class UserChatParams(TypedDict, total=False):
    user: int
    start_date: DateLike
    end_date: DateLike
    previous_start_date: DateLike
    previous_end_date: DateLike
    mailboxes: Sequence[int] | int | str
    tags: Sequence[int] | int | str
    office_hours: bool


class ReportMethods:
    """One method per report (``ApiClient`` sends the requests)."""

    def fetch(self, report: str | ReportSpec, raw: bool = False, **params: Any) -> Any:
        raise NotImplementedError  # ApiClient.fetch

    def get_company(self, **params: Unpack[CompanyParams]) -> dict[str, Any]:
        """Company overall: one summary answer (see help())."""
        return self.fetch("company", **params)  # type: ignore[no-any-return]

    def get_company_customers_helped(
        self, **params: Unpack[CompanyCustomersHelpedParams]
    ) -> dict[str, Any]:
        """Company customers helped: one timeseries answer (see help())."""
        return self.fetch("company_customers_helped", **params)  # type: ignore[no-any-return]

    def get_company_drilldown(self, **params: Unpack[CompanyDrilldownParams]) -> dict[str, Any]:
        """Company drilldown: one paginated answer (see help())."""
        return self.fetch("company_drilldown", **params)  # type: ignore[no-any-return]

    def get_conversations(self, **params: Unpack[CompanyParams]) -> dict[str, Any]:
        """Conversations overall: one summary answer (see help())."""
        return self.fetch("conversations", **params)  # type: ignore[no-any-return]

    def get_conversations_new_conversations(
        self, **params: Unpack[CompanyCustomersHelpedParams]
    ) -> dict[str, Any]:
        """New conversations: one timeseries answer (see help())."""
        return self.fetch("conversations_new_conversations", **params)  # type: ignore[no-any-return]

    def get_conversations_channel_volumes(
        self, **params: Unpack[CompanyCustomersHelpedParams]
    ) -> dict[str, Any]:
        """Volume by channel: one timeseries answer (see help())."""
        return self.fetch("conversations_channel_volumes", **params)  # type: ignore[no-any-return]

    def get_conversations_busiest_times(
        self, **params: Unpack[CompanyParams]
    ) -> list[dict[str, Any]]:
        """Busiest times: one list answer (see help())."""
        return self.fetch("conversations_busiest_times", **params)  # type: ignore[no-any-return]

    def get_conversations_drilldown(
        self, **params: Unpack[ConversationsDrilldownParams]
    ) -> dict[str, Any]:
        """Conversations drilldown: one paginated answer (see help())."""
        return self.fetch("conversations_drilldown", **params)  # type: ignore[no-any-return]

    def get_conversations_drilldown_by_field(
        self, **params: Unpack[ConversationsDrilldownByFieldParams]
    ) -> dict[str, Any]:
        """Conversations drilldown by field: one paginated answer (see help())."""
        return self.fetch("conversations_drilldown_by_field", **params)  # type: ignore[no-any-return]

    def get_conversations_new_conversations_drilldown(
        self, **params: Unpack[ConversationsDrilldownParams]
    ) -> dict[str, Any]:
        """New conversations drilldown: one paginated answer (see help())."""
        return self.fetch("conversations_new_conversations_drilldown", **params)  # type: ignore[no-any-return]

    def get_conversations_received_message_stats(
        self, **params: Unpack[CompanyCustomersHelpedParams]
    ) -> dict[str, Any]:
        """Received messages: one timeseries answer (see help())."""
        return self.fetch("conversations_received_message_stats", **params)  # type: ignore[no-any-return]

    def get_docs(self, **params: Unpack[DocsParams]) -> dict[str, Any]:
        """Docs overall: one summary answer (see help())."""
        return self.fetch("docs", **params)  # type: ignore[no-any-return]

    def get_happiness(self, **params: Unpack[CompanyParams]) -> dict[str, Any]:
        """Happiness overall: one summary answer (see help())."""
        return self.fetch("happiness", **params)  # type: ignore[no-any-return]

    def get_happiness_ratings(self, **params: Unpack[HappinessRatingsParams]) -> dict[str, Any]:
        """Happiness ratings: one paginated answer (see help())."""
        return self.fetch("happiness_ratings", **params)  # type: ignore[no-any-return]

    def get_productivity(self, **params: Unpack[ProductivityParams]) -> dict[str, Any]:
        """Productivity overall: one summary answer (see help())."""
        return self.fetch("productivity", **params)  # type: ignore[no-any-return]

    def get_productivity_first_response_time(
        self, **params: Unpack[ProductivityFirstResponseTimeParams]
    ) -> dict[str, Any]:
        """First response time: one timeseries answer (see help())."""
        return self.fetch("productivity_first_response_time", **params)  # type: ignore[no-any-return]

    def get_productivity_replies_sent(
        self, **params: Unpack[ProductivityFirstResponseTimeParams]
    ) -> dict[str, Any]:
        """Replies sent: one timeseries answer (see help())."""
        return self.fetch("productivity_replies_sent", **params)  # type: ignore[no-any-return]

    def get_productivity_resolution_time(
        self, **params: Unpack[ProductivityFirstResponseTimeParams]
    ) -> dict[str, Any]:
        """Resolution time: one timeseries answer (see help())."""
        return self.fetch("productivity_resolution_time", **params)  # type: ignore[no-any-return]

    def get_productivity_resolved(
        self, **params: Unpack[ProductivityFirstResponseTimeParams]
    ) -> dict[str, Any]:
        """Resolved conversations: one timeseries answer (see help())."""
        return self.fetch("productivity_resolved", **params)  # type: ignore[no-any-return]

    def get_productivity_response_time(
        self, **params: Unpack[ProductivityFirstResponseTimeParams]
    ) -> dict[str, Any]:
        """Response time: one timeseries answer (see help())."""
        return self.fetch("productivity_response_time", **params)  # type: ignore[no-any-return]

    def get_user(self, **params: Unpack[UserParams]) -> dict[str, Any]:
        """User/team overall: one summary answer (see help())."""
        return self.fetch("user", **params)  # type: ignore[no-any-return]

    def get_user_conversation_history(
        self, **params: Unpack[UserConversationHistoryParams]
    ) -> dict[str, Any]:
        """User conversation history: one paginated answer (see help())."""
        return self.fetch("user_conversation_history", **params)  # type: ignore[no-any-return]

    def get_user_customers_helped(
        self, **params: Unpack[UserCustomersHelpedParams]
    ) -> dict[str, Any]:
        """User customers helped: one timeseries answer (see help())."""
        return self.fetch("user_customers_helped", **params)  # type: ignore[no-any-return]

    def get_user_drilldown(self, **params: Unpack[UserDrilldownParams]) -> dict[str, Any]:
        """User drilldown: one paginated answer (see help())."""
        return self.fetch("user_drilldown", **params)  # type: ignore[no-any-return]

    def get_user_happiness(self, **params: Unpack[UserHappinessParams]) -> dict[str, Any]:
        """User/team happiness: one summary answer (see help())."""
        return self.fetch("user_happiness", **params)  # type: ignore[no-any-return]

    def get_user_happiness_drilldown(
        self, **params: Unpack[UserHappinessDrilldownParams]
    ) -> dict[str, Any]:
        """User ratings: one paginated answer (see help())."""
        return self.fetch("user_happiness_drilldown", **params)  # type: ignore[no-any-return]

    def get_user_replies(self, **params: Unpack[UserCustomersHelpedParams]) -> dict[str, Any]:
        """User replies: one timeseries answer (see help())."""
        return self.fetch("user_replies", **params)  # type: ignore[no-any-return]

    def get_user_resolutions(self, **params: Unpack[UserCustomersHelpedParams]) -> dict[str, Any]:
        """User resolutions: one timeseries answer (see help())."""
        return self.fetch("user_resolutions", **params)  # type: ignore[no-any-return]

    def get_chat(self, **params: Unpack[ChatParams]) -> dict[str, Any]:
        """Chat: one summary answer (see help())."""
        return self.fetch("chat", **params)  # type: ignore[no-any-return]

    def get_email(self, **params: Unpack[ChatParams]) -> dict[str, Any]:
        """Email: one summary answer (see help())."""
        return self.fetch("email", **params)  # type: ignore[no-any-return]

    def get_phone(self, **params: Unpack[ChatParams]) -> dict[str, Any]:
        """Phone: one summary answer (see help())."""
        return self.fetch("phone", **params)  # type: ignore[no-any-return]

    def get_user_chat(self, **params: Unpack[UserChatParams]) -> dict[str, Any]:
        """User/team chat: one summary answer (see help())."""
        return self.fetch("user_chat", **params)  # type: ignore[no-any-return]
