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
-- caveats: participation_not_person, organisations_not_summable,
--          organisations_counted_per_component, formalisation_by_venue, territory_is_organisation_city,
--          territory_is_organisation_municipality, small_territories_fragile,
--          single_organisation_territories, territory_totals_not_split, people_from_person_keys,
--          records_without_person_key
WITH people AS (
    -- no organisation chosen: looked up (a territory's records are whole organisations', so a
    -- choice of territories or components picks whole rows of territory_people)
    SELECT territory_id, component_id, people_count
    FROM territory_people
    WHERE $organisations::VARCHAR[] IS NULL
    UNION ALL
    -- organisations chosen: counted from the people rollups, the rows whose mask has the bit
    SELECT k.territory_id, b.component_id, people_in(k.person_id, k.people_count) AS people_count
    FROM selected_people($components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]) AS k
    JOIN component_bits AS b ON k.component_mask & b.component_bit <> 0
    WHERE $organisations::VARCHAR[] IS NOT NULL
    GROUP BY k.territory_id, b.component_id
)
SELECT
    pc.territory_id,
    pc.component_id,
    known_sum(pc.participations_count)::INTEGER AS participations_count,
    -- records_without_person_key_count is set only for counts made from attendance records
    (CASE WHEN max(pc.records_without_person_key_count) IS NOT NULL THEN coalesce(max(p.people_count), 0) END)::INTEGER
        AS people_count,
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
