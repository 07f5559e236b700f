-- name:    selection macros
-- grain:   table macros that apply the sidebar selection (components, territories, organisations;
--          NULL = no filter) in one place, so every named query filters the same way.
-- columns: see each macro.
--
-- selected_organisations: the organisations in the selected territories and organisations.
CREATE OR REPLACE MACRO selected_organisations(territories, organisations) AS TABLE
SELECT o.*
FROM organisations AS o
WHERE (territories IS NULL OR list_contains(territories, o.territory_id))
  AND (organisations IS NULL OR list_contains(organisations, o.organisation_id));

-- selected_participation_counts: participation_counts rows within the selection.
-- A row published only as a territory total (organisation_id NULL) cannot be split between
-- organisations, so when an organisation filter is set it is kept (the selected organisation's
-- territory is in it) but its counts become NULL: "not published for single organisations".
CREATE OR REPLACE MACRO selected_participation_counts(components, territories, organisations) AS TABLE
SELECT
    pc.component_id,
    pc.territory_id,
    pc.organisation_id,
    CASE WHEN organisations IS NOT NULL AND pc.organisation_id IS NULL
         THEN NULL ELSE pc.participations_count END AS participations_count,
    CASE WHEN organisations IS NOT NULL AND pc.organisation_id IS NULL
         THEN NULL ELSE pc.organisations_count END AS organisations_count,
    pc.territory_basis,
    pc.source_section,
    pc.records_without_person_key_count
FROM participation_counts AS pc
WHERE (components IS NULL OR list_contains(components, pc.component_id))
  AND (territories IS NULL OR list_contains(territories, pc.territory_id))
  AND (
        pc.organisation_id IN (SELECT organisation_id FROM selected_organisations(territories, organisations))
     OR (pc.organisation_id IS NULL
         AND pc.territory_id IN (SELECT territory_id FROM selected_organisations(territories, organisations)))
  );

-- selected_organisation_components: organisation_components rows within the selection.
CREATE OR REPLACE MACRO selected_organisation_components(components, territories, organisations) AS TABLE
SELECT oc.*, so.territory_id
FROM organisation_components AS oc
JOIN selected_organisations(territories, organisations) AS so USING (organisation_id)
WHERE (components IS NULL OR list_contains(components, oc.component_id));

-- selected_component_mask: the bits (component_bits) of the selected components; all when NULL.
CREATE OR REPLACE MACRO selected_component_mask(components) AS (
    SELECT coalesce(bit_or(component_bit), 0::UBIGINT)
    FROM component_bits
    WHERE components IS NULL OR list_contains(components, component_id)
);

-- selected_people: the people rollups within the selection, for exact distinct people without
-- reading attendance records. Each row is either a group of people seen in one place only
-- (person_id NULL, people_count of them) or one person seen in several places (person_id set,
-- people_count 1, one row per place). component_mask keeps only the selected components, and rows
-- with none of them are left out. Distinct people in any grouping of these rows =
--     sum(people_count) FILTER (WHERE person_id IS NULL) + count(DISTINCT person_id),
-- and per-person facts (how many components, which combination) come from bit_or over each
-- person's rows for the spread people.
CREATE OR REPLACE MACRO selected_people(components, territories, organisations) AS TABLE
WITH wanted AS (SELECT selected_component_mask(components) AS mask)
SELECT NULL::INTEGER AS person_id, s.territory_id, s.organisation_id,
       s.component_mask & w.mask AS component_mask, s.people_count
FROM people_sets AS s, wanted AS w
WHERE s.component_mask & w.mask <> 0
  AND (territories IS NULL OR list_contains(territories, s.territory_id))
  AND (organisations IS NULL OR list_contains(organisations, s.organisation_id))
UNION ALL
SELECT p.person_id, p.territory_id, p.organisation_id, p.component_mask & w.mask AS component_mask,
       1 AS people_count
FROM people_spread AS p, wanted AS w
WHERE p.component_mask & w.mask <> 0
  AND (territories IS NULL OR list_contains(territories, p.territory_id))
  AND (organisations IS NULL OR list_contains(organisations, p.organisation_id));

-- people_in(person_id, people_count): distinct people in a group of selected_people rows.
CREATE OR REPLACE MACRO people_in(person_id, people_count) AS
    coalesce(sum(people_count) FILTER (WHERE person_id IS NULL), 0) + count(DISTINCT person_id);

-- known_sum(x): the sum when every value is known; NULL ("not published") as soon as one is not.
-- A partial sum would pass an unknown for a zero.
CREATE OR REPLACE MACRO known_sum(x) AS CASE WHEN count(x) = count(1) THEN sum(x) END;

-- below_threshold(n, min_people): a count of people small enough to point at someone (at least one,
-- fewer than min_people). Queries hide such a count (NULL) and flag it, so no exact small count of
-- people ever leaves the database; zero stays zero.
CREATE OR REPLACE MACRO below_threshold(n, min_people) AS (n >= 1 AND n < min_people);

-- whole_dataset(territories, organisations): true when no territory and no organisation is chosen,
-- so people_masks rows of scope 'all' answer for any choice of components.
CREATE OR REPLACE MACRO whole_dataset(territories, organisations) AS (territories IS NULL AND organisations IS NULL);
