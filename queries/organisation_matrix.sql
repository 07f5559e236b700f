-- name:    organisation_matrix
-- title:   What is known about each organisation's participation in each component
-- grain:   one row per organisation per component in the selection
-- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
-- columns: organisation_id, organisation_name, is_name_published, territory_id, component_id,
--          participation_status (count_published, took_part, unknown or did_not_take_part),
--          participations_count (NULL unless participation_status is count_published)
-- caveats: per_organisation_only_soft_skills, soft_skills_selected_not_sampled,
--          unnamed_organisations, participation_not_person
SELECT
    oc.organisation_id,
    o.organisation_name,
    o.is_name_published,
    o.territory_id,
    oc.component_id,
    oc.participation_status,
    oc.participations_count::INTEGER AS participations_count
FROM selected_organisation_components(
    $components::VARCHAR[], $territories::VARCHAR[], $organisations::VARCHAR[]
) AS oc
JOIN organisations AS o USING (organisation_id)
JOIN components AS c USING (component_id)
ORDER BY o.sort_order, c.sort_order
