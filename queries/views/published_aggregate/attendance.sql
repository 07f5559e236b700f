-- name:    attendance
-- grain:   one row per person per session; a published-aggregate dataset has no such rows,
--          so this view is empty but typed, and person-level queries return their empty state.
-- columns: session_id, session_date, component_id, territory_id, organisation_id, person_key, role
SELECT
    NULL::VARCHAR AS session_id,
    NULL::DATE AS session_date,
    NULL::VARCHAR AS component_id,
    NULL::VARCHAR AS territory_id,
    NULL::VARCHAR AS organisation_id,
    NULL::VARCHAR AS person_key,
    NULL::VARCHAR AS role
WHERE false
