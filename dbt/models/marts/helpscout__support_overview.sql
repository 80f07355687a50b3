{{ config(enabled=hs_extract_enabled_all(['company', 'conversations', 'conversations_channel_volumes', 'happiness', 'productivity'])) }}
-- One row per grain, window and filter set: the figures a support lead reads first.
-- Every figure comes from a window of the row's own grain. A month's customers helped,
-- active conversations and response times are Help Scout's answer for the month, never a
-- sum or mean of days; only counts of events (new conversations by channel) are added, and
-- only over the buckets of that same window.

with conversations as (
    select grain, window_start, window_end, window_date, filters,
        new_conversations, conversations_created, total_conversations, customers
    from {{ ref('stg_hs__conversations') }}
    where period = 'current'
),

channels as (
    -- a window's buckets (one, or the days of a month Help Scout can't bucket): add them up
    select grain, window_start, filters,
        sum(email) as new_email_conversations,
        sum(chat) as new_chat_conversations,
        sum(phone) as new_phone_conversations
    from {{ ref('stg_hs__conversations_channel_volumes') }}
    where period = 'current'
    group by grain, window_start, filters
),

company as (
    select grain, window_start, window_end, window_date, filters, customers_helped,
        total_users as users_replying
    from {{ ref('stg_hs__company') }}
    where period = 'current'
),

productivity as (
    select grain, window_start, window_end, window_date, filters,
        resolved, resolved_on_first_reply, closed, replies_sent,
        first_response_time_minutes, first_response_time_hours,
        response_time_minutes, response_time_hours,
        resolution_time_hours, handle_time_minutes, replies_to_resolve
    from {{ ref('stg_hs__productivity') }}
    where period = 'current'
),

happiness as (
    select grain, window_start, window_end, window_date, filters,
        ratings_count, great_count, okay_count, not_good_count
    from {{ ref('stg_hs__happiness') }}
    where period = 'current'
),

windows as (
    select grain, window_start, window_end, window_date, filters from conversations
    union
    select grain, window_start, window_end, window_date, filters from company
    union
    select grain, window_start, window_end, window_date, filters from productivity
    union
    select grain, window_start, window_end, window_date, filters from happiness
)

select
    w.grain,
    w.window_start,
    w.window_end,
    w.window_date,
    w.filters,
    c.new_conversations,
    ch.new_email_conversations,
    ch.new_chat_conversations,
    ch.new_phone_conversations,
    c.conversations_created,
    c.total_conversations as active_conversations,
    c.customers,
    co.customers_helped,
    co.users_replying,
    p.replies_sent,
    p.resolved,
    p.resolved_on_first_reply,
    p.closed,
    p.first_response_time_minutes,
    p.first_response_time_hours,
    p.response_time_minutes,
    p.response_time_hours,
    p.resolution_time_hours,
    p.handle_time_minutes,
    p.replies_to_resolve,
    h.ratings_count,
    h.great_count,
    h.okay_count,
    h.not_good_count,
    -- from the counts: a window without ratings has no score (Help Scout says 0)
    case when h.ratings_count > 0
        then 100.0 * (h.great_count - h.not_good_count) / h.ratings_count
    end as happiness_score
from windows as w
left join conversations as c
    on c.grain = w.grain and c.window_start = w.window_start and c.filters = w.filters
left join channels as ch
    on ch.grain = w.grain and ch.window_start = w.window_start and ch.filters = w.filters
left join company as co
    on co.grain = w.grain and co.window_start = w.window_start and co.filters = w.filters
left join productivity as p
    on p.grain = w.grain and p.window_start = w.window_start and p.filters = w.filters
left join happiness as h
    on h.grain = w.grain and h.window_start = w.window_start and h.filters = w.filters
