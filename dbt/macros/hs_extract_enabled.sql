{% macro hs_extract_enabled(report) %}
  {#- A report's models exist when var helpscout_reports is all or names it: a config that
      loads fewer reports has fewer tables, and dbt must not read one that is not there. -#}
  {%- set reports = var('helpscout_reports', 'all') -%}
  {{ return(reports == 'all' or report in reports) }}
{% endmacro %}

{% macro hs_extract_enabled_all(names) %}
  {#- A mart exists when every report it reads is loaded. -#}
  {%- for name in names -%}
    {%- if not hs_extract_enabled(name) -%}{{ return(false) }}{%- endif -%}
  {%- endfor -%}
  {{ return(true) }}
{% endmacro %}
