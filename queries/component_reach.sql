-- name:    component_reach
-- title:   Reach, audience and period of each component
-- grain:   one row per component with a published figure in the selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: component_id, audience_id (NULL = no source says whom the component was for: sign-in
--          sheets do not, only a report's section does), period_start_date, period_end_date,
--          period_precision (month or day), reach_unit (the unit the source reports reach in),
--          participations_count (NULL = not published),
--          people_count (distinct person keys in the attendance records; NULL = the dataset has no
--          person-level records),
--          organisations_count (NULL = not published; counted once per component)
-- caveats: participation_not_person, formalisation_counted_in_organisations,
--          components_counted_in_organisations, organisations_not_summable,
--          organisations_counted_per_component, period_precision, periods_by_month,
--          periods_from_sessions, outputs_not_outcomes, attendance_not_effects,
--          people_from_person_keys, records_without_person_key
--
-- organisations_count: exact from the organisation-level statuses when every selected organisation's
-- participation in the component is known; otherwise the published count for the selection
-- (formalisation: published per session, not per organisation).
WITH org_status AS (
    SELECT
        component_id,
        count(*) FILTER (WHERE participation_status IN ('count_published', 'took_part')) AS known_count,
        count(*) FILTER (WHERE participation_status = 'unknown') AS unknown_count
    FROM selected_organisation_components(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    )
    GROUP BY component_id
),
published AS (
    SELECT
        component_id,
        known_sum(participations_count) AS participations_count,
        known_sum(organisations_count) AS organisations_count,
        -- set only for counts made from attendance records (a report's counts leave it NULL)
        max(records_without_person_key_count) AS records_without_person_key_count
    FROM selected_participation_counts(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    )
    GROUP BY component_id
),
people AS (  -- the rows of the people rollups whose mask has the component's bit
    -- no place chosen: each person once in people_masks (scope 'all')
    SELECT b.component_id, sum(m.people_count) AS people_count
    FROM people_masks AS m
    JOIN component_bits AS b ON m.component_mask & b.component_bit <> 0
    WHERE whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[]) AND m.scope = 'all'
      AND b.component_bit & selected_component_mask($components::VARCHAR[]) <> 0
    GROUP BY b.component_id
    UNION ALL
    -- a place chosen: from the selection's people rollups
    SELECT b.component_id, people_in(k.person_id, k.people_count) AS people_count
    FROM selected_people($components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]) AS k
    JOIN component_bits AS b ON k.component_mask & b.component_bit <> 0
    WHERE NOT whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[])
    GROUP BY b.component_id
)
SELECT
    c.component_id,
    -- whom it was for, where its source section says so (a partner's sheets have none: the stored
    -- audience of an imported component is a default, not a fact)
    CASE WHEN c.source_section IS NOT NULL THEN c.audience_id END AS audience_id,
    c.period_start_date,
    c.period_end_date,
    c.period_precision,
    c.reach_unit,
    p.participations_count::INTEGER AS participations_count,
    (CASE WHEN p.records_without_person_key_count IS NOT NULL THEN coalesce(pe.people_count, 0) END)::INTEGER
        AS people_count,
    (CASE WHEN s.unknown_count = 0 THEN s.known_count ELSE p.organisations_count END)::INTEGER
        AS organisations_count
FROM components AS c
JOIN published AS p USING (component_id)
LEFT JOIN org_status AS s USING (component_id)
LEFT JOIN people AS pe USING (component_id)
ORDER BY c.sort_order
