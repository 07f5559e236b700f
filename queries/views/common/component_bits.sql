-- name:    component_bits
-- grain:   one row per component: the bit that stands for it in the component masks of the people
--          rollups (people_sets, people_spread). Both kinds of dataset have it.
-- columns: component_id, component_bit (UBIGINT with one bit set; bits follow the alphabetical order
--          of component ids, so a mask written at import means the same at query time: the
--          components table is part of the same dataset version)
SELECT
    component_id,
    (1::UBIGINT << (row_number() OVER (ORDER BY component_id) - 1)::INTEGER)::UBIGINT AS component_bit
FROM components
