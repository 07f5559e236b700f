-- name:    territory_people
-- grain:   one row per territory per component it has keyed attendance records in.
--          A rollup written to territory_people.parquet when a version is published (store.py);
--          computed from attendance when a version has no such file.
-- columns: territory_id, component_id, people_count (distinct person keys)
--
-- coverage_by_territory reads it whenever no organisation is chosen: a record's territory is its
-- organisation's (the import sets it so), so choosing territories or components only picks whole
-- rows of it. With an organisation chosen, the people are counted from the people rollups.
SELECT territory_id, component_id, count(DISTINCT person_key)::INTEGER AS people_count
FROM attendance
WHERE person_key IS NOT NULL
GROUP BY territory_id, component_id
