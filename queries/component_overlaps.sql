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
WITH keyed AS (
    SELECT DISTINCT a.person_key, a.component_id, c.sort_order
    FROM selected_attendance(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    ) AS a
    JOIN components AS c USING (component_id)
    WHERE a.person_key IS NOT NULL
),
per_person AS (
    SELECT
        person_key,
        list(component_id ORDER BY component_id) AS ids_alphabetical,
        list(component_id ORDER BY sort_order) AS ids_display
    FROM keyed
    GROUP BY person_key
),
combinations AS (
    SELECT
        array_to_string(ids_alphabetical, '+') AS combination_id,
        any_value(ids_display) AS component_ids,
        len(any_value(ids_display)) AS components_count,
        count(*)::INTEGER AS people_count
    FROM per_person
    GROUP BY ids_alphabetical
)
SELECT
    combination_id,
    component_ids,
    components_count::INTEGER AS components_count,
    people_count
FROM combinations
ORDER BY people_count DESC, components_count, combination_id
