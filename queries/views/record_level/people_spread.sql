-- name:    people_spread
-- grain:   one row per person per territory per organisation, only for the people whose keyed
--          attendance records lie in more than one territory or organisation (people_sets holds
--          everyone else). A rollup written to people_spread.parquet when a version is published.
-- columns: person_id (INTEGER standing for a person key within this dataset version only),
--          territory_id, organisation_id,
--          component_mask (the components this person attended there, one bit each: component_bits)
WITH placed AS (
    SELECT
        a.person_key,
        a.territory_id,
        a.organisation_id,
        bit_or(b.component_bit) AS component_mask,
        count(*) OVER (PARTITION BY a.person_key) AS places_count
    FROM attendance AS a
    JOIN component_bits AS b USING (component_id)
    WHERE a.person_key IS NOT NULL
    GROUP BY a.person_key, a.territory_id, a.organisation_id
)
SELECT
    dense_rank() OVER (ORDER BY person_key)::INTEGER AS person_id,
    territory_id,
    organisation_id,
    component_mask
FROM placed
WHERE places_count > 1
