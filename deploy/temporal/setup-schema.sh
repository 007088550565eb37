#!/bin/sh
# One-shot job (temporalio/admin-tools image): creates Temporal's MySQL
# databases and brings both schemas to the version this Temporal release
# ships. Every step is idempotent, so it runs on every `up`: on an
# up-to-date database it changes nothing, and after a Temporal upgrade it
# applies only the new schema versions — before the new server starts.
#
# Connection settings come from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and
# SQL_PASSWORD, which temporal-sql-tool reads itself.
set -eu

schemas=/etc/temporal/schema/mysql/v8

setup() { # setup DATABASE VERSIONED_SCHEMA_DIR
  echo "temporal-schema: database $1"
  temporal-sql-tool --database "$1" create-database
  temporal-sql-tool --database "$1" setup-schema --version 0.0
  temporal-sql-tool --database "$1" update-schema --schema-dir "$2"
}

setup temporal "$schemas/temporal/versioned"
setup temporal_visibility "$schemas/visibility/versioned"
echo "temporal-schema: up to date"
