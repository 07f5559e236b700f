-- name:    organisation_matrix
-- title:   What is known about each organisation's participation in each component
-- grain:   one row per organisation per component in the selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[], $min_people INTEGER
-- columns: organisation_id, organisation_name, is_name_published, territory_id, component_id,
--          participation_status (count_published, took_part, unknown or did_not_take_part),
--          participations_count (NULL unless participation_status is count_published; also NULL when
--          the cell's people are hidden),
--          people_count (distinct person keys; NULL = no person-level records for the cell, or hidden
--          because at least one but fewer than $min_people people),
--          is_below_threshold (true = the cell's people and participations are hidden; NULL = no
--          person-level records for the cell)
-- caveats: per_organisation_only_soft_skills, soft_skills_selected_not_sampled,
--          participants_not_a_sample, unnamed_organisations, some_organisations_unnamed,
--          participation_not_person, people_from_person_keys, small_numbers_suppressed
WITH people AS (  -- looked up in the rollup (cells the selection leaves out are dropped by the join below)
    SELECT organisation_id, component_id, people_count
    FROM organisation_people
    WHERE component_id IS NOT NULL
),
from_records AS (  -- counts made from attendance records carry records_without_person_key_count
    SELECT max(records_without_person_key_count) IS NOT NULL AS is_record_level
    FROM participation_counts
),
cells AS (
    SELECT
        oc.*,
        -- a cell with records has people (0 when none of its records has a person key)
        CASE WHEN f.is_record_level AND oc.participations_count > 0 THEN coalesce(p.people_count, 0)
             ELSE p.people_count END AS people_count
    FROM selected_organisation_components(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    ) AS oc
    CROSS JOIN from_records AS f
    LEFT JOIN people AS p USING (organisation_id, component_id)
)
SELECT
    oc.organisation_id,
    o.organisation_name,
    o.is_name_published,
    o.territory_id,
    oc.component_id,
    oc.participation_status,
    (CASE WHEN below_threshold(oc.people_count, $min_people) THEN NULL
          ELSE oc.participations_count END)::INTEGER AS participations_count,
    (CASE WHEN below_threshold(oc.people_count, $min_people) THEN NULL
          ELSE oc.people_count END)::INTEGER AS people_count,
    below_threshold(oc.people_count, $min_people) AS is_below_threshold
FROM cells AS oc
JOIN organisations AS o USING (organisation_id)
JOIN components AS c USING (component_id)
ORDER BY o.sort_order, c.sort_order
