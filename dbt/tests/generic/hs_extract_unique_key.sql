{% test hs_extract_unique_key(model, columns) %}
{#- The row key: no two rows share these columns (a null slice column counts as a value,
    as it does in hs_extract's own key). -#}
select {{ columns | join(', ') }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
