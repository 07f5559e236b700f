-- name:    reconciliation
-- title:   Each total the report states, checked against the sum of its published parts
-- grain:   one row per published total (component or all; territory or all; measure)
-- params:  none
-- columns: component_id (NULL = all components), territory_id (NULL = all territories),
--          measure_id (participations, organisations or territories),
--          published_value (NULL = not published),
--          computed_value (from the parts: participations summed; organisations summed within one
--          component, counted as distinct organisations across components),
--          parts_not_published_count (parts whose value is not published, left out of computed_value),
--          is_reconciled (NULL when there is nothing to compare), source_section
-- caveats: formalisation_not_in_total, not_published_not_in_totals, organisations_not_summable,
--          organisations_counted_per_component, participation_not_person
WITH computed AS (
    SELECT
        t.component_id,
        t.territory_id,
        t.measure_id,
        CASE
            WHEN t.measure_id = 'participations' THEN (
                SELECT sum(pc.participations_count) FROM participation_counts AS pc
                WHERE (t.component_id IS NULL OR pc.component_id = t.component_id)
                  AND (t.territory_id IS NULL OR pc.territory_id = t.territory_id))
            WHEN t.measure_id = 'organisations' AND t.component_id IS NOT NULL THEN (
                SELECT sum(pc.organisations_count) FROM participation_counts AS pc
                WHERE pc.component_id = t.component_id
                  AND (t.territory_id IS NULL OR pc.territory_id = t.territory_id))
            WHEN t.measure_id = 'organisations' THEN (
                SELECT count(*) FROM organisations AS o
                WHERE t.territory_id IS NULL OR o.territory_id = t.territory_id)
            WHEN t.measure_id = 'territories' THEN (SELECT count(*) FROM territories)
        END AS computed_value,
        CASE
            WHEN t.measure_id = 'participations' THEN (
                SELECT count(*) FILTER (WHERE pc.participations_count IS NULL) FROM participation_counts AS pc
                WHERE (t.component_id IS NULL OR pc.component_id = t.component_id)
                  AND (t.territory_id IS NULL OR pc.territory_id = t.territory_id))
            ELSE 0
        END AS parts_not_published_count,
        t.published_value,
        t.source_section
    FROM published_totals AS t
)
SELECT
    c.component_id,
    c.territory_id,
    c.measure_id,
    c.published_value::INTEGER AS published_value,
    c.computed_value::INTEGER AS computed_value,
    c.parts_not_published_count::INTEGER AS parts_not_published_count,
    CASE WHEN c.published_value IS NOT NULL AND c.computed_value IS NOT NULL
         THEN c.published_value = c.computed_value END AS is_reconciled,
    c.source_section
FROM computed AS c
LEFT JOIN components AS comp USING (component_id)
ORDER BY comp.sort_order NULLS LAST, c.territory_id NULLS LAST, c.measure_id
