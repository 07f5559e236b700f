-- name:    people_masks
-- grain:   people per place and set of components (see record_level/people_masks.sql); a
--          published-aggregate dataset has no person keys, so this view is empty but typed.
-- columns: scope, territory_id, organisation_id, component_mask, people_count
SELECT
    NULL::VARCHAR AS scope,
    NULL::VARCHAR AS territory_id,
    NULL::VARCHAR AS organisation_id,
    NULL::UBIGINT AS component_mask,
    NULL::INTEGER AS people_count
WHERE false
