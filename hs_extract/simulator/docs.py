"""The Docs report: per-day, per-site traffic from its own seeded stream."""

from __future__ import annotations

import math
import random
from collections import Counter

from .account import DAY, Account
from .shapes import Context, deltas, pct
from .words import FAILED_TERMS, SEARCH_TERMS

TOP_N = 10


def docs_day(account: Account, day: int, site: int) -> dict:
    """One day of Docs traffic on one site (its own seeded stream)."""
    rng = random.Random(account.seed * 7919 + day * 31 + site)
    weekday = (day + 3) % 7
    visitors = max(0, int(rng.gauss(160 if weekday < 5 else 70, 15)))
    searches = Counter(rng.choice(SEARCH_TERMS) for _ in range(int(visitors * 0.12)))
    failed = Counter(rng.choice(FAILED_TERMS) for _ in range(int(visitors * 0.02)))
    articles = Counter()
    for _ in range(int(visitors * 0.9)):
        articles[rng.randrange(len(account.articles))] += 1
    return {
        "visitors": visitors,
        "search": int(visitors * rng.uniform(0.08, 0.15)),
        "found": int(visitors * rng.uniform(0.6, 0.8)),
        "email": int(visitors * rng.uniform(0.002, 0.01)),
        "failed": int(visitors * rng.uniform(0.15, 0.3)),
        "views": sum(articles.values()),
        "searches": searches,
        "failed_terms": failed,
        "articles": articles,
    }


def docs_totals(account: Account, start: int, end: int, sites: tuple[str, ...]) -> dict:
    total = {
        "visitors": 0,
        "search": 0,
        "found": 0,
        "email": 0,
        "failed": 0,
        "views": 0,
        "searches": Counter(),
        "failed_terms": Counter(),
        "articles": Counter(),
    }
    chosen = [i for i, s in enumerate(account.sites) if not sites or s in sites]
    for day in range(math.ceil(start / DAY), math.ceil(end / DAY)):
        if day * DAY >= account.cutoff:
            break
        for i in chosen:
            for k, val in docs_day(account, day, i).items():
                total[k] += val
    return total


def docs_metrics_of(t: dict) -> dict:
    v = t["visitors"]
    return {
        "visitors": v,
        "browseAction": 100 - pct(t["search"], v) if v else 0.0,
        "searchAction": pct(t["search"], v),
        "foundAnAnswerResult": pct(t["found"], v),
        "sentAnEmailResult": pct(t["email"], v),
        "failedResult": pct(t["failed"], v),
        "docsViewedPerVisit": t["views"] / v if v else 0.0,
    }


def docs(ctx: Context) -> dict:
    acc, q = ctx.account, ctx.q
    cur = docs_totals(acc, q.start, q.end, q.sites)
    out = {"current": docs_metrics_of(cur)}
    if q.prev:
        out["previous"] = docs_metrics_of(docs_totals(acc, *q.prev, q.sites))
        out["deltas"] = deltas(out["current"], out["previous"])
    top = sorted(cur["searches"].items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    out["popularSearches"] = [
        {"count": n, "id": term, "results": 1 + len(term) % 9} for term, n in top
    ]
    out["failedSearches"] = [
        {"count": n, "id": term}
        for term, n in sorted(cur["failed_terms"].items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    arts = sorted(cur["articles"].items(), key=lambda kv: (-kv[1], kv[0]))
    out["topArticles"] = [
        {
            "count": n,
            "name": acc.articles[i].name,
            "siteId": acc.articles[i].site_id,
            "id": acc.articles[i].id,
            "collectionId": acc.articles[i].collection_id,
        }
        for i, n in arts[:TOP_N]
        if acc.articles[i].site_id in (q.sites or acc.sites)
    ]
    cats = Counter()
    for i, n in cur["articles"].items():
        cats[acc.articles[i].category_id] += n
    out["topCategories"] = [
        {
            "count": n,
            "name": acc.categories[acc.category_ids.index(cid)].name,
            "siteId": acc.sites[acc.category_ids.index(cid) % 2],
            "id": cid,
            "articles": sum(1 for a in acc.articles if a.category_id == cid),
        }
        for cid, n in sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return out
