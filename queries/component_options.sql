-- name:    component_options
-- title:   Components, for filters and labels
-- grain:   one row per component
-- params:  none
-- columns: component_id, component_name_en, component_name_es, audience_id, reach_unit
-- caveats: none
SELECT component_id, component_name_en, component_name_es, audience_id, reach_unit
FROM components
ORDER BY sort_order
