-- name:    people_by_components_attended
-- title:   People by how many different components they attended, by territory
-- grain:   one row per territory (NULL = all selected territories together) per number of components
--          attended, from 1 to the number of components in the selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: territory_id (NULL = all territories in the selection, each person once),
--          components_attended_count (number of different components attended),
--          people_count (distinct person keys; 0 = nobody)
-- caveats: components_per_person, people_from_person_keys, records_without_person_key
--
-- A programme- and territory-level view, like the exact count of distinct people on the overview:
-- small counts are not hidden here (the small-number rule covers organisation-level views).
-- Only records with a person key count. A territory appears when at least one person with a key
-- attended there; its rows run from 1 to the number of selected components, zero included, so
-- "nobody attended all four" is a row, not a gap.
--
-- Read from the people rollups. Whole places (per territory with no organisation chosen; all
-- together with no place chosen) from people_masks, each person once with their set of
-- components there. Otherwise from selected_people: groups of people seen in one place count with
-- their set of components; people seen in several places are first merged per person (bit_or).
WITH keyed AS (
    SELECT *
    FROM selected_people($components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[])
),
chosen AS (SELECT selected_component_mask($components::VARCHAR[]) AS mask),
per_person AS (
    -- per territory, no organisation chosen: each territory's people once (people_masks, scope
    -- 'territory'; a choice of territories picks whole rows)
    SELECT m.territory_id, bit_count(m.component_mask & c.mask) AS components_attended_count, m.people_count
    FROM people_masks AS m, chosen AS c
    WHERE $organisations::VARCHAR[] IS NULL AND m.scope = 'territory'
      AND ($territories::VARCHAR[] IS NULL OR list_contains($territories::VARCHAR[], m.territory_id))
      AND m.component_mask & c.mask <> 0
    UNION ALL
    -- per territory, organisations chosen: from the selection's people rollups
    SELECT territory_id, bit_count(component_mask) AS components_attended_count, people_count
    FROM keyed
    WHERE person_id IS NULL AND $organisations::VARCHAR[] IS NOT NULL
    UNION ALL
    SELECT territory_id, bit_count(bit_or(component_mask)), 1
    FROM keyed
    WHERE person_id IS NOT NULL AND $organisations::VARCHAR[] IS NOT NULL
    GROUP BY territory_id, person_id
    UNION ALL
    -- all territories together, no place chosen: people_masks, scope 'all'
    SELECT NULL::VARCHAR, bit_count(m.component_mask & c.mask), m.people_count
    FROM people_masks AS m, chosen AS c
    WHERE whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[]) AND m.scope = 'all'
      AND m.component_mask & c.mask <> 0
    UNION ALL
    -- all territories together, a place chosen: from the selection's people rollups
    SELECT NULL::VARCHAR, bit_count(component_mask), people_count
    FROM keyed
    WHERE person_id IS NULL AND NOT whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[])
    UNION ALL
    SELECT NULL::VARCHAR, bit_count(bit_or(component_mask)), 1
    FROM keyed
    WHERE person_id IS NOT NULL AND NOT whole_dataset($territories::VARCHAR[], $organisations::VARCHAR[])
    GROUP BY person_id
),
counted AS (
    SELECT territory_id, components_attended_count, sum(people_count) AS people_count
    FROM per_person
    GROUP BY territory_id, components_attended_count
),
grid AS (
    SELECT DISTINCT p.territory_id, n.components_attended_count
    FROM per_person AS p
    CROSS JOIN (
        SELECT unnest(range(1, count(*) + 1)) AS components_attended_count
        FROM components
        WHERE $components::VARCHAR[] IS NULL OR list_contains($components::VARCHAR[], component_id)
    ) AS n
)
SELECT
    g.territory_id,
    g.components_attended_count::INTEGER AS components_attended_count,
    coalesce(c.people_count, 0)::INTEGER AS people_count
FROM grid AS g
LEFT JOIN counted AS c
    ON c.territory_id IS NOT DISTINCT FROM g.territory_id
   AND c.components_attended_count = g.components_attended_count
LEFT JOIN territories AS t ON t.territory_id = g.territory_id
ORDER BY t.sort_order NULLS FIRST, g.components_attended_count
