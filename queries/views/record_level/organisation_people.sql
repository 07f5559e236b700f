-- name:    organisation_people
-- grain:   one row per organisation per component it has keyed attendance records in, and one row
--          per organisation with component_id NULL for all its components together.
--          A rollup written to organisation_people.parquet when a version is published (store.py);
--          computed from attendance when a version has no such file.
-- columns: organisation_id, component_id (NULL = all components), people_count (distinct person keys)
--
-- The per-organisation views (organisation_matrix, people_by_organisation) read it under any
-- selection: an organisation's records all lie in its own territory (the import sets a record's
-- territory from its organisation), so choosing territories, organisations or components only
-- picks whole rows of it.
SELECT organisation_id, component_id, count(DISTINCT person_key)::INTEGER AS people_count
FROM attendance
WHERE person_key IS NOT NULL
GROUP BY GROUPING SETS ((organisation_id, component_id), (organisation_id))
