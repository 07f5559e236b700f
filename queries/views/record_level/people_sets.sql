-- name:    people_sets
-- grain:   one row per territory per organisation per set of components, for the people whose keyed
--          attendance records all lie in that one territory and organisation (nearly everyone).
--          A rollup written to people_sets.parquet when a version is published (store.py); computed
--          from attendance when a version has no such file.
-- columns: territory_id, organisation_id,
--          component_mask (the components these people attended there, one bit each: component_bits),
--          people_count (distinct person keys with exactly this set)
--
-- Exact distinct people for any selection of components, territories and organisations are then
-- sums over this table plus a distinct count over people_spread (people seen in several places).
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
SELECT territory_id, organisation_id, component_mask, count(*)::INTEGER AS people_count
FROM placed
WHERE places_count = 1
GROUP BY territory_id, organisation_id, component_mask
