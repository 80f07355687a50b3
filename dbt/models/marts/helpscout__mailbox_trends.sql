{{ config(enabled=hs_extract_enabled('conversations_drilldown')) }}
-- One row per grain, window, filter set and mailbox: the conversations active in the window
-- (the conversations drilldown lists each once per window), by channel, with the mailbox's
-- name. Distinct counts: a month's come from the month's rows, never from a sum of days.

select
    d.grain,
    d.window_start,
    d.window_end,
    d.window_date,
    d.filters,
    d.mailbox_id,
    m.name as mailbox_name,
    count(distinct d.id) as active_conversations,
    count(distinct case when d.type = 'email' then d.id end) as active_email_conversations,
    count(distinct case when d.type = 'chat' then d.id end) as active_chat_conversations,
    count(distinct case when d.type = 'phone' then d.id end) as active_phone_conversations
from {{ ref('stg_hs__conversations_drilldown') }} as d
left join {{ ref('stg_hs__mailboxes') }} as m on m.id = d.mailbox_id
group by d.grain, d.window_start, d.window_end, d.window_date, d.filters, d.mailbox_id, m.name
