-- name:    organisations_engaged
-- title:   Organisations that took part in the selection
-- grain:   one row for the whole selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: organisations_min_count (at least this many organisations),
--          organisations_max_count (at most this many; equal to the minimum when the count is exact),
--          organisations_in_selection_count (organisations in the selected territories and organisations)
-- caveats: organisations_not_summable, organisations_counted_per_component, unnamed_organisations,
--          some_organisations_unnamed, formalisation_by_venue
--
-- Organisations are counted once however many components they attended, never summed across
-- components. Where the source says only how many organisations attended a component, not which
-- (formalisation), the count becomes a range:
--   minimum = the larger of the organisations known to have taken part and each selected
--             component's published organisation count;
--   maximum = the known ones plus, for organisations whose participation is unknown, no more than
--             each component's published count allows.
-- Counts published per session venue are used only for the whole programme: with a territory or
-- organisation filter they cannot be attributed to an organisation's own city.
WITH status AS (
    SELECT *
    FROM selected_organisation_components(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    )
),
took_part AS (
    SELECT DISTINCT organisation_id
    FROM status
    WHERE participation_status IN ('count_published', 'took_part')
),
open_status AS (
    SELECT component_id, organisation_id
    FROM status
    WHERE participation_status = 'unknown'
      AND organisation_id NOT IN (SELECT organisation_id FROM took_part)
),
published AS (
    SELECT component_id, known_sum(organisations_count) AS organisations_count
    FROM selected_participation_counts(
        $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
    )
    WHERE territory_basis = 'organisation_city'
       OR ($territories::VARCHAR[] IS NULL AND $organisations::VARCHAR[] IS NULL)
    GROUP BY component_id
),
open_by_component AS (
    SELECT
        o.component_id,
        least(count(*), coalesce(max(p.organisations_count), count(*))) AS possible_count
    FROM open_status AS o
    LEFT JOIN published AS p USING (component_id)
    GROUP BY o.component_id
)
SELECT
    greatest(
        (SELECT count(*) FROM took_part),
        coalesce((SELECT max(organisations_count) FROM published), 0)
    )::INTEGER AS organisations_min_count,
    ((SELECT count(*) FROM took_part) + least(
        (SELECT count(DISTINCT organisation_id) FROM open_status),
        coalesce((SELECT sum(possible_count) FROM open_by_component), 0)
    ))::INTEGER AS organisations_max_count,
    (SELECT count(*) FROM selected_organisations($territories::VARCHAR[], $organisations::VARCHAR[]))::INTEGER
        AS organisations_in_selection_count
