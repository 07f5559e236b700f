-- name:    participation_counts
-- grain:   one row per component per territory per organisation, counted from attendance records.
--          A rollup: written to participation_counts.parquet when a version is published (store.py),
--          so the dashboard reads thousands of rows, not millions; computed from attendance when a
--          version has no such file.
-- columns: component_id, territory_id, organisation_id, participations_count, organisations_count,
--          territory_basis, source_section,
--          records_without_person_key_count (records with no person key; never NULL here)
SELECT
    component_id,
    territory_id,
    organisation_id,
    count(*)::INTEGER AS participations_count,
    1 AS organisations_count,
    'organisation_city' AS territory_basis,
    NULL::VARCHAR AS source_section,
    count(*) FILTER (WHERE person_key IS NULL)::INTEGER AS records_without_person_key_count
FROM attendance
GROUP BY component_id, territory_id, organisation_id
