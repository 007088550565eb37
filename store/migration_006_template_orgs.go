package store

func init() {
	// Versions a member saved become their organisation's; the built-ins and
	// what the CLI published (no member made them) stay shared.
	register(Migration{Version: 6, Name: "templates belong to an organisation or to the shared catalogue", SQL: `
ALTER TABLE template_versions ADD COLUMN org_id VARCHAR(40) NOT NULL DEFAULT '';
UPDATE template_versions SET org_id = COALESCE((SELECT m.org_id FROM members m WHERE m.id = template_versions.created_by), '');
DROP INDEX ux_template_versions_key_version{{on template_versions}};
CREATE UNIQUE INDEX ux_template_versions_org_key_version ON template_versions (org_id, template_key, version)
`})
}
