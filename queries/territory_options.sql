-- name:    territory_options
-- title:   Territories, for filters, labels and maps
-- grain:   one row per territory
-- params:  none
-- columns: territory_id, territory_name, department_name, divipola_code, latitude, longitude
-- caveats: none
SELECT territory_id, territory_name, department_name, divipola_code, latitude, longitude
FROM territories
ORDER BY sort_order
