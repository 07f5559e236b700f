-- name:    organisation_options
-- title:   Organisations, for filters and labels
-- grain:   one row per organisation
-- params:  none
-- columns: organisation_id, organisation_name, territory_id, is_name_published,
--          unnamed_index (tells apart unnamed organisations of one territory)
-- caveats: none
SELECT organisation_id, organisation_name, territory_id, is_name_published, unnamed_index
FROM organisations
ORDER BY sort_order
