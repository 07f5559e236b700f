-- name:    territory_people
-- grain:   people per territory and component (see record_level/territory_people.sql); a
--          published-aggregate dataset has no person keys, so this view is empty but typed.
-- columns: territory_id, component_id, people_count
SELECT
    NULL::VARCHAR AS territory_id,
    NULL::VARCHAR AS component_id,
    NULL::INTEGER AS people_count
WHERE false
