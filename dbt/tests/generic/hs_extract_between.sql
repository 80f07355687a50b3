{% test hs_extract_between(model, column_name, low, high) %}
{#- Rows whose value lies outside [low, high] (nulls pass). -#}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ low }} or {{ column_name }} > {{ high }}
{% endtest %}
