-- name:    organisation_people
-- grain:   people per organisation and component (see record_level/organisation_people.sql); a
--          published-aggregate dataset has no person keys, so this view is empty but typed.
-- columns: organisation_id, component_id, people_count
SELECT
    NULL::VARCHAR AS organisation_id,
    NULL::VARCHAR AS component_id,
    NULL::INTEGER AS people_count
WHERE false
