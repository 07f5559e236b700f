-- name:    participations_by_territory
-- title:   Participations by territory, the selected components together (for the map)
-- grain:   one row per territory with a figure in the selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: territory_id,
--          participations_count (sum of the published counts of the selected components; NULL =
--          none published, never 0),
--          components_not_published (components in the selection whose count for this territory
--          is not published and so not in the sum),
--          component_ids (components with a figure for this territory in the selection)
-- caveats: participation_not_person, formalisation_not_in_total, not_published_not_in_totals,
--          territory_is_organisation_city, territory_is_organisation_municipality,
--          small_territories_fragile, single_organisation_territories, formalisation_by_venue,
--          territory_totals_not_split
SELECT
    pc.territory_id,
    sum(pc.participations_count)::INTEGER AS participations_count,
    coalesce(
        list(DISTINCT pc.component_id ORDER BY pc.component_id)
            FILTER (WHERE pc.participations_count IS NULL),
        []::VARCHAR[]
    ) AS components_not_published,
    list(DISTINCT pc.component_id ORDER BY pc.component_id) AS component_ids
FROM selected_participation_counts(
    $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
) AS pc
JOIN territories AS t USING (territory_id)
GROUP BY pc.territory_id, t.sort_order
ORDER BY t.sort_order
