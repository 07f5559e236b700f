-- name:    people_spread
-- grain:   people seen in several places (see record_level/people_spread.sql); a
--          published-aggregate dataset has no person keys, so this view is empty but typed.
-- columns: person_id, territory_id, organisation_id, component_mask
SELECT
    NULL::INTEGER AS person_id,
    NULL::VARCHAR AS territory_id,
    NULL::VARCHAR AS organisation_id,
    NULL::UBIGINT AS component_mask
WHERE false
