#!/bin/sh
# Run by the mysql image once, when it initialises an empty data volume. The
# image sources scripts that lost their executable bit, so this one changes
# no shell options.
#
# Temporal gets its own account, limited to its two databases: a bug or a
# leaked password on one side cannot touch the other side's data. The
# databases themselves are created by the temporal-schema job.
mysql --protocol=socket -uroot -p"${MYSQL_ROOT_PASSWORD}" <<SQL
CREATE USER IF NOT EXISTS '${TEMPORAL_DB_USER}'@'%' IDENTIFIED BY '${TEMPORAL_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`temporal\`.* TO '${TEMPORAL_DB_USER}'@'%';
GRANT ALL PRIVILEGES ON \`temporal_visibility\`.* TO '${TEMPORAL_DB_USER}'@'%';
SQL
