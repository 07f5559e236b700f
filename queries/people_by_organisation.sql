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
--          small_numbers_suppressed, unnamed_organisations, some_organisations_unnamed
--
-- Read from the rollups, participations from participation_counts. People per organisation and
-- component: looked up in organisation_people (an organisation's records all lie in its own
-- territory, so a territory or organisation choice picks whole rows of it). People in all selected
-- components together: looked up too when no component is chosen; otherwise the people of the
-- organisation (people_masks, scope 'organisation') whose set of components meets the chosen ones.
-- Records without a person key count as participations, not people.
WITH people AS (
    SELECT op.organisation_id, op.component_id, op.people_count
    FROM organisation_people AS op
    JOIN selected_organisations($territories::VARCHAR[], $organisations::VARCHAR[]) AS so USING (organisation_id)
    WHERE op.component_id IS NOT NULL OR $components::VARCHAR[] IS NULL
    UNION ALL
    SELECT m.organisation_id, NULL::VARCHAR, sum(m.people_count)
    FROM people_masks AS m
    JOIN selected_organisations($territories::VARCHAR[], $organisations::VARCHAR[]) AS so USING (organisation_id)
    WHERE $components::VARCHAR[] IS NOT NULL AND m.scope = 'organisation'
      AND m.component_mask & selected_component_mask($components::VARCHAR[]) <> 0
    GROUP BY m.organisation_id
),
participations AS (
    SELECT organisation_id, component_id, sum(participations_count) AS participations_count
    FROM selected_participation_counts(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    )
    WHERE records_without_person_key_count IS NOT NULL
    GROUP BY GROUPING SETS ((organisation_id, component_id), (organisation_id))
),
counted AS (
    SELECT r.organisation_id, r.component_id, coalesce(p.people_count, 0) AS people_count, r.participations_count
    FROM participations AS r
    LEFT JOIN people AS p
        ON p.organisation_id = r.organisation_id AND p.component_id IS NOT DISTINCT FROM r.component_id
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
