-- name:    coverage_by_territory
-- title:   Participations and organisations by territory and component
-- grain:   one row per territory per component with a published figure in the selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: territory_id, component_id,
--          participations_count (NULL = not published),
--          organisations_count (NULL = not published; organisations, not to be summed across components),
--          territory_basis (organisation_city or session_venue)
-- caveats: participation_not_person, organisations_not_summable, formalisation_by_venue,
--          territory_is_organisation_city, small_territories_fragile, territory_totals_not_split
SELECT
    pc.territory_id,
    pc.component_id,
    known_sum(pc.participations_count)::INTEGER AS participations_count,
    known_sum(pc.organisations_count)::INTEGER AS organisations_count,
    max(pc.territory_basis) AS territory_basis
FROM selected_participation_counts(
    $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
) AS pc
JOIN territories AS t USING (territory_id)
JOIN components AS c USING (component_id)
GROUP BY pc.territory_id, pc.component_id, t.sort_order, c.sort_order
ORDER BY t.sort_order, c.sort_order
