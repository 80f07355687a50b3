{{ config(enabled=hs_extract_enabled('conversations')) }}
-- One row per grain, window, filter set and tag among Help Scout's top tags of the window
-- (the conversations report's tags.top), with the tag's name and colour. A tag's count is of
-- distinct conversations: a month's comes from the month, never from a sum of its days.

select
    t.grain,
    t.window_start,
    t.window_end,
    t.window_date,
    t.filters,
    t.id as tag_id,
    -- Help Scout sends no name for id 1, its mark for conversations without a tag
    coalesce(tags.name, t.name, case when t.id = 1 then '(untagged)' end) as tag_name,
    tags.color as tag_color,
    t.idx + 1 as tag_rank,
    t.count as conversations,
    t.percent as share_percent,
    t.previous_count as previous_conversations,
    t.delta_percent as share_change_percent
from {{ ref('stg_hs__conversations__tags_top') }} as t
left join {{ ref('stg_hs__tags') }} as tags on tags.id = t.id
