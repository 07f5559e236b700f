-- name:    coverage_by_territory
-- title:   Participations, people and organisations by territory and component
-- grain:   one row per territory per component with a published figure in the selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: territory_id, component_id,
--          participations_count (NULL = not published),
--          people_count (distinct person keys in the attendance records; NULL = the dataset has no
--          person-level records),
--          organisations_count (NULL = not published; organisations, not to be summed across components),
--          territory_basis (organisation_city or session_venue)
-- caveats: participation_not_person, organisations_not_summable, formalisation_by_venue,
--          territory_is_organisation_city, small_territories_fragile, territory_totals_not_split,
--          people_from_person_keys, records_without_person_key
WITH people AS (
    SELECT territory_id, component_id, count(DISTINCT person_key) AS people_count
    FROM selected_attendance(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    )
    GROUP BY territory_id, component_id
)
SELECT
    pc.territory_id,
    pc.component_id,
    known_sum(pc.participations_count)::INTEGER AS participations_count,
    max(p.people_count)::INTEGER AS people_count,
    known_sum(pc.organisations_count)::INTEGER AS organisations_count,
    max(pc.territory_basis) AS territory_basis
FROM selected_participation_counts(
    $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
) AS pc
JOIN territories AS t USING (territory_id)
JOIN components AS c USING (component_id)
LEFT JOIN people AS p USING (territory_id, component_id)
GROUP BY pc.territory_id, pc.component_id, t.sort_order, c.sort_order
ORDER BY t.sort_order, c.sort_order
