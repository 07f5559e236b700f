-- name:    component_overlaps
-- title:   People by the exact combination of components they attended
-- grain:   one row per combination of components that at least one person with a key attended,
--          within the selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: combination_id (stable id: the component ids in alphabetical order joined by "+"),
--          component_ids (the combination's components in display order),
--          components_count (number of components in the combination),
--          people_count (people who attended exactly these components)
-- caveats: overlap_exact_combination, people_from_person_keys, records_without_person_key
--
-- A programme- and territory-level view (small counts are not hidden: the small-number rule covers
-- organisation-level views). Sorted by people, largest first, then by size and id.
--
-- Read from the people rollups: a combination is a component mask. With no territory or
-- organisation chosen, each person's set is in people_masks (scope 'all'); otherwise from
-- selected_people, where people seen in several places are first merged per person (bit_or).
WITH keyed AS (
    SELECT *
    FROM selected_people($components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[])
),
per_mask AS (
    SELECT component_mask, sum(people_count) AS people_count
    FROM (
        -- no place chosen: each person's set (people_masks, scope 'all') cut to the chosen components
        SELECT m.component_mask & selected_component_mask($components::VARCHAR[]) AS component_mask, m.people_count
        FROM people_masks AS m
        WHERE whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[]) AND m.scope = 'all'
        UNION ALL
        -- a place chosen: from the selection's people rollups
        SELECT component_mask, people_count FROM keyed
        WHERE person_id IS NULL AND NOT whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[])
        UNION ALL
        SELECT bit_or(component_mask), 1 FROM keyed
        WHERE person_id IS NOT NULL AND NOT whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[])
        GROUP BY person_id
    )
    WHERE component_mask <> 0
    GROUP BY component_mask
),
combinations AS (
    SELECT
        array_to_string(list(b.component_id ORDER BY b.component_id), '+') AS combination_id,
        list(b.component_id ORDER BY c.sort_order) AS component_ids,
        count(*) AS components_count,
        any_value(m.people_count)::INTEGER AS people_count
    FROM per_mask AS m
    JOIN component_bits AS b ON m.component_mask & b.component_bit <> 0
    JOIN components AS c USING (component_id)
    GROUP BY m.component_mask
)
SELECT
    combination_id,
    component_ids,
    components_count::INTEGER AS components_count,
    people_count
FROM combinations
ORDER BY people_count DESC, components_count, combination_id
