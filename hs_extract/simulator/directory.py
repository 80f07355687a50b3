"""The list endpoints (reference §6): users, teams, mailboxes and tags, HAL-paged."""

from __future__ import annotations

import math

from .account import DAY, Account
from .shapes import iso

__all__ = ["LISTS", "list_page"]

LISTS = {
    "/v2/users": "users",
    "/v2/teams": "teams",
    "/v2/mailboxes": "mailboxes",
    "/v2/tags": "tags",
}


def _items(acc: Account, key: str) -> list[dict]:
    """Every item of one list, with the fields the reference documents."""
    epoch = acc.cutoff - 3 * 365 * DAY
    if key == "users":
        return [
            {
                "id": u.id,
                "firstName": u.first,
                "lastName": u.last,
                "email": u.email,
                "role": "owner" if i == 0 else "user",
                "type": "user",
                "timezone": "UTC" if i % 3 else "Europe/Berlin",
                "mention": u.first.lower(),
                "initials": u.first[0] + u.last[0],
                "jobTitle": "Support lead" if i == 0 else "Support engineer",
                "phone": None,
                "alternateEmails": [f"{u.first.lower()}@alt.example.com"] if i % 4 == 0 else [],
                "photoUrl": f"https://img.example.com/{u.id}.jpg",
                "createdAt": iso(u.created_at),
                "updatedAt": iso(u.created_at + 30 * DAY),
            }
            for i, u in enumerate(acc.users)
        ]
    if key == "teams":
        return [
            {
                "id": t.id,
                "name": t.name,
                "initials": t.name[:2].upper(),
                "mention": t.name.lower().replace(" ", ""),
                "timezone": "UTC",
                "photoUrl": f"https://img.example.com/{t.id}.jpg",
                "createdAt": iso(t.created_at),
                "updatedAt": iso(t.created_at + DAY),
                "_links": {"teamMembers": {"href": f"/v2/teams/{t.id}/members"}},
            }
            for t in acc.teams
        ]
    if key == "mailboxes":
        return [
            {
                "id": m.id,
                "name": m.name,
                "slug": m.name.lower(),
                "email": f"{m.name.lower()}@example.com",
                "createdAt": iso(epoch),
                "updatedAt": iso(epoch + 10 * DAY),
                "_links": {"folders": {"href": f"/v2/mailboxes/{m.id}/folders"}},
            }
            for m in acc.mailboxes
        ]
    return [
        {
            "id": t.id,
            "name": t.name,
            "slug": t.name,
            "color": t.color,
            "ticketCount": (t.id * 37) % 500,
            "createdAt": iso(epoch + (t.id % 100) * DAY),
            "updatedAt": iso(epoch + (t.id % 100 + 5) * DAY),
        }
        for t in acc.tags
        if t.id != 1
    ]


def list_page(acc: Account, path: str, page: int, size: int) -> dict:
    """One HAL page of a list endpoint."""
    key = LISTS[path]
    items = _items(acc, key)
    total = max(1, math.ceil(len(items) / size))
    links = {
        "self": {"href": f"{path}?page={page}"},
        "first": {"href": f"{path}?page=1"},
        "last": {"href": f"{path}?page={total}"},
    }
    if page < total:
        links["next"] = {"href": f"{path}?page={page + 1}"}
    return {
        "_embedded": {key: items[(page - 1) * size : page * size]},
        "_links": links,
        "page": {"size": size, "totalElements": len(items), "totalPages": total, "number": page},
    }
