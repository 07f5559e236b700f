-- name:    participation_counts
-- grain:   one row per component per territory at the finest grain the source publishes:
--          per organisation where it publishes per-organisation figures (organisation_id set),
--          otherwise per territory (organisation_id NULL). Never both for one component and territory.
-- columns: component_id, territory_id, organisation_id (NULL = territory total),
--          participations_count (NULL = not published), organisations_count (NULL = not published),
--          territory_basis (organisation_city | session_venue), source_section,
--          records_without_person_key_count (always NULL: a report has no attendance records)
SELECT
    component_id,
    territory_id,
    NULL::VARCHAR AS organisation_id,
    participations_count,
    organisations_count,
    territory_basis,
    source_section,
    NULL::INTEGER AS records_without_person_key_count
FROM territory_counts
UNION ALL
SELECT
    oc.component_id,
    o.territory_id,
    oc.organisation_id,
    oc.participations_count,
    1 AS organisations_count,
    'organisation_city' AS territory_basis,
    oc.source_section,
    NULL::INTEGER AS records_without_person_key_count
FROM organisation_components AS oc
JOIN organisations AS o USING (organisation_id)
WHERE oc.participation_status = 'count_published'
