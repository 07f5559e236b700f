-- name:    people_by_organisation
-- title:   People and participations of each organisation, by component
-- grain:   one row per organisation with attendance records in the selection per component it
--          attended (component_id NULL = all selected components together, each person once)
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[], $min_people INTEGER
-- columns: organisation_id, territory_id (the organisation's city),
--          component_id (NULL = all components in the selection),
--          people_count (distinct person keys; NULL = hidden, at least one but fewer than $min_people),
--          participations_count (attendance records; NULL when people_count is hidden),
--          is_below_threshold (true = people_count and participations_count are hidden)
-- caveats: people_from_person_keys, records_without_person_key, participation_not_person,
--          small_numbers_suppressed, unnamed_organisations
WITH records AS (
    SELECT organisation_id, component_id, person_key
    FROM selected_attendance(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    )
),
counted AS (
    SELECT
        organisation_id,
        component_id,
        count(DISTINCT person_key) AS people_count,
        count(*) AS participations_count
    FROM records
    GROUP BY GROUPING SETS ((organisation_id, component_id), (organisation_id))
)
SELECT
    k.organisation_id,
    o.territory_id,
    k.component_id,
    (CASE WHEN below_threshold(k.people_count, $min_people) THEN NULL ELSE k.people_count END)::INTEGER
        AS people_count,
    (CASE WHEN below_threshold(k.people_count, $min_people) THEN NULL ELSE k.participations_count END)::INTEGER
        AS participations_count,
    below_threshold(k.people_count, $min_people) AS is_below_threshold
FROM counted AS k
JOIN organisations AS o USING (organisation_id)
LEFT JOIN components AS c USING (component_id)
ORDER BY o.sort_order, c.sort_order NULLS FIRST
