{{ config(enabled=hs_extract_enabled_all(['user', 'user_happiness'])) }}
-- One row per grain, window, user or team, and filter set, with the member's name. Every
-- figure is Help Scout's answer for the member over that window: a month's customers helped
-- and response times come from the month, never from its days.

with overall as (
    select grain, window_start, window_end, window_date, filters, user_id,
        total_replies, resolved, resolved_on_first_reply, closed, conversations_created,
        customers_helped, total_conversations,
        response_time_minutes, response_time_hours, resolution_time_hours,
        handle_time_minutes, replies_to_resolve, percent_resolved_on_first_reply
    from {{ ref('stg_hs__user_overall') }}
    where period = 'current'
),

happiness as (
    select grain, window_start, filters, user_id,
        ratings_count, great_count, okay_count, not_good_count
    from {{ ref('stg_hs__user_happiness') }}
    where period = 'current'
),

members as (
    select id as member_id, name as member_name, 'user' as member_type
    from {{ ref('stg_hs__users') }}
    union all
    select id as member_id, name as member_name, 'team' as member_type
    from {{ ref('stg_hs__teams') }}
)

select
    o.grain,
    o.window_start,
    o.window_end,
    o.window_date,
    o.filters,
    o.user_id,
    m.member_name,
    coalesce(m.member_type, 'unknown') as member_type,
    o.total_replies as replies_sent,
    o.resolved,
    o.resolved_on_first_reply,
    o.closed,
    o.conversations_created,
    o.customers_helped,
    o.total_conversations as conversations_worked,
    o.response_time_minutes,
    o.response_time_hours,
    o.resolution_time_hours,
    o.handle_time_minutes,
    o.replies_to_resolve,
    o.percent_resolved_on_first_reply,
    h.ratings_count,
    h.great_count,
    h.okay_count,
    h.not_good_count,
    case when h.ratings_count > 0
        then 100.0 * (h.great_count - h.not_good_count) / h.ratings_count
    end as happiness_score
from overall as o
left join happiness as h
    on h.grain = o.grain and h.window_start = o.window_start
    and h.user_id = o.user_id and h.filters = o.filters
left join members as m on m.member_id = o.user_id
