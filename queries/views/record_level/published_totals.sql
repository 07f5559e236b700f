-- name:    published_totals
-- grain:   one row per total a report states; imported sign-in sheets state none, so this is empty.
-- columns: component_id, territory_id, measure_id, published_value, source_section
SELECT
    NULL::VARCHAR AS component_id,
    NULL::VARCHAR AS territory_id,
    NULL::VARCHAR AS measure_id,
    NULL::INTEGER AS published_value,
    NULL::VARCHAR AS source_section
WHERE false
