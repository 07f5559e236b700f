-- name:    people_masks
-- grain:   one row per scope per place per set of components (a bitmask over component_bits),
--          with the number of people whose keyed records in that place attend exactly that set:
--            scope 'all'           the whole dataset (territory_id and organisation_id NULL);
--            scope 'territory'     one territory (organisation_id NULL);
--            scope 'organisation'  one organisation (territory_id NULL).
--          A rollup written to people_masks.parquet when a version is published (store.py);
--          computed from attendance when a version has no such file.
-- columns: scope, territory_id, organisation_id, component_mask, people_count
--
-- Exact distinct people for a choice of components S, without any count of distinct keys: the
-- people of a place who attended any of S are the rows with component_mask & S <> 0, each person
-- once; their combination is component_mask & S and their number of components its bit count.
-- A record's territory is its organisation's (the import sets it so), so a place chosen whole
-- (no filter: 'all'; territories only: 'territory'; an organisation: 'organisation') reads its
-- rows as they are. Other selections are counted from people_sets and people_spread.
WITH per_person AS (
    SELECT
        CASE grouping(a.territory_id, a.organisation_id) WHEN 3 THEN 'all' WHEN 1 THEN 'territory'
             ELSE 'organisation' END AS scope,  -- 3: neither place kept, 1: the territory, 2: the organisation
        a.territory_id,
        a.organisation_id,
        bit_or(b.component_bit) AS component_mask
    FROM attendance AS a
    JOIN component_bits AS b USING (component_id)
    WHERE a.person_key IS NOT NULL
    GROUP BY GROUPING SETS ((a.person_key), (a.person_key, a.territory_id), (a.person_key, a.organisation_id))
)
SELECT scope, territory_id, organisation_id, component_mask, count(*)::INTEGER AS people_count
FROM per_person
GROUP BY scope, territory_id, organisation_id, component_mask
