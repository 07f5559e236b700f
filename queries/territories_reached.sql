-- name:    territories_reached
-- title:   Territories with activity in the selection
-- grain:   one row for the whole selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: territories_count (municipalities with at least one published figure)
-- caveats: territory_is_organisation_city, territory_is_organisation_municipality,
--          formalisation_by_venue
SELECT count(DISTINCT pc.territory_id)::INTEGER AS territories_count
FROM selected_participation_counts(
    $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
) AS pc
