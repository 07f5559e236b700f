-- name:    data_facts
-- title:   What is true of a dataset, for the caveats that hold only on some data
-- grain:   one row for the whole dataset (read once per dataset version, never per rerun)
-- params:  none
-- columns: has_territory_with_one_organisation (a territory has exactly one organisation),
--          has_unnamed_organisation (an organisation's name is not published),
--          has_period_by_month (a component is dated only by month),
--          has_component_in_organisations (a component's reach is given in organisations only)
-- caveats: none
--
-- Each column has_FACT is a fact a caveat may name in its `when` (content/caveats.toml,
-- caveats.FACTS). Read from the small tables every dataset has, whatever its kind; never NULL.
SELECT
    coalesce((
        SELECT bool_or(organisations_count = 1)
        FROM (SELECT count(*) AS organisations_count FROM organisations GROUP BY territory_id)
    ), false) AS has_territory_with_one_organisation,
    coalesce((SELECT bool_or(NOT is_name_published) FROM organisations), false) AS has_unnamed_organisation,
    coalesce((SELECT bool_or(period_precision = 'month') FROM components), false) AS has_period_by_month,
    coalesce((SELECT bool_or(reach_unit = 'organisations') FROM components), false) AS has_component_in_organisations
