-- name:    participation_counts
-- grain:   one row per component per territory per organisation, counted from attendance records.
-- columns: component_id, territory_id, organisation_id, participations_count, organisations_count,
--          territory_basis, source_section
SELECT
    component_id,
    territory_id,
    organisation_id,
    count(*)::INTEGER AS participations_count,
    1 AS organisations_count,
    'organisation_city' AS territory_basis,
    NULL::VARCHAR AS source_section
FROM attendance
GROUP BY component_id, territory_id, organisation_id
