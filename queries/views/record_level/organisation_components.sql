-- name:    organisation_components
-- grain:   one row per organisation per component; in a record-level dataset every cell is known:
--          either the count of attendance records or "did not take part".
-- columns: organisation_id, component_id, participation_status, participations_count, source_section
SELECT
    o.organisation_id,
    c.component_id,
    CASE WHEN a.participations_count IS NULL THEN 'did_not_take_part' ELSE 'count_published' END
        AS participation_status,
    a.participations_count,
    NULL::VARCHAR AS source_section
FROM organisations AS o
CROSS JOIN components AS c
LEFT JOIN (
    SELECT organisation_id, component_id, sum(participations_count)::INTEGER AS participations_count
    FROM participation_counts  -- the rollup, not the attendance records
    GROUP BY organisation_id, component_id
) AS a ON a.organisation_id = o.organisation_id AND a.component_id = c.component_id
