-- name:    distinct_people
-- title:   Distinct people reached: exact from person keys, otherwise a range from published counts
-- grain:   one row for the whole selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: method_id (person_keys or published_bounds),
--          people_min_count (lower bound: per territory, the largest count of one component, summed),
--          people_max_count (upper bound: all participations; NULL = a count in the selection is not published),
--          people_exact_count (distinct person keys; NULL when the dataset has no person-level records),
--          records_without_person_key_count (attendance records with no identity)
-- caveats: distinct_people_range, participation_not_person, formalisation_not_in_total,
--          not_published_not_in_totals, people_from_person_keys, records_without_person_key
--
-- The bounds cover components whose reach is published in participations (not formalisation).
-- Lower bound assumes a person attends each component at most once and belongs to one territory:
-- then a territory reached at least as many people as its best-attended component.
-- Exact people: with no territory or organisation chosen, looked up in people_masks (scope 'all');
-- otherwise counted from the selection's people rollups (selected_people).
WITH pc AS (
    SELECT s.*
    FROM selected_participation_counts(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    ) AS s
    JOIN components AS c USING (component_id)
    WHERE c.reach_unit = 'participations'
),
per_territory_component AS (
    SELECT territory_id, component_id, known_sum(participations_count) AS participations_count
    FROM pc
    GROUP BY territory_id, component_id
),
per_territory AS (
    SELECT
        territory_id,
        max(participations_count) AS largest_component_count,
        known_sum(participations_count) AS participations_count
    FROM per_territory_component
    GROUP BY territory_id
),
records AS (
    -- attendance records in the selection, from the participation_counts rollup (a report's
    -- counts are not records: their records_without_person_key_count is NULL)
    SELECT
        coalesce(sum(participations_count) FILTER (WHERE records_without_person_key_count IS NOT NULL), 0)
            AS records_count,
        coalesce(sum(records_without_person_key_count), 0) AS without_key_count
    FROM selected_participation_counts(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    )
),
people AS (
    SELECT
        records.records_count,
        records.without_key_count,
        (SELECT sum(n) FROM (
            -- no place chosen: each person once in people_masks (scope 'all')
            SELECT coalesce(sum(m.people_count), 0) AS n
            FROM people_masks AS m
            WHERE whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[]) AND m.scope = 'all'
              AND m.component_mask & selected_component_mask($components::VARCHAR[]) <> 0
            UNION ALL
            -- a place chosen: from the selection's people rollups
            SELECT people_in(person_id, people_count)
            FROM selected_people($components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[])
            WHERE NOT whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[])
        )) AS keys_count
    FROM records
)
SELECT
    CASE WHEN people.records_count > 0 THEN 'person_keys' ELSE 'published_bounds' END AS method_id,
    (SELECT sum(largest_component_count) FROM per_territory)::INTEGER AS people_min_count,
    (SELECT known_sum(participations_count) FROM per_territory)::INTEGER AS people_max_count,
    (CASE WHEN people.records_count > 0 THEN people.keys_count END)::INTEGER AS people_exact_count,
    people.without_key_count::INTEGER AS records_without_person_key_count
FROM people
