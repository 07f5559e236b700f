-- name:    total_participations
-- title:   Participations in the selection
-- grain:   one row for the whole selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: participations_count (sum of the published counts; NULL = none published),
--          components_not_published (components in the selection whose count is not published
--          and so not in the sum), matching_rows_count (0 = nothing matches the selection)
-- caveats: participation_not_person, formalisation_not_in_total, not_published_not_in_totals,
--          territory_totals_not_split
SELECT
    sum(pc.participations_count)::INTEGER AS participations_count,
    coalesce(
        list(DISTINCT pc.component_id ORDER BY pc.component_id)
            FILTER (WHERE pc.participations_count IS NULL),
        []::VARCHAR[]
    ) AS components_not_published,
    count(*)::INTEGER AS matching_rows_count
FROM selected_participation_counts(
    $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
) AS pc
