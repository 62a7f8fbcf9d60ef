#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database:
#   createdb referral_desk_restored
#   deploy/restore.sh /var/backups/referral-desk/referral-desk-…dump \
#     postgres://referral_desk@127.0.0.1:5432/referral_desk_restored
# It refuses a database that already has tables, so it never overwrites data. All or nothing: one
# transaction, stopped at the first error. Then point DATABASE_URL at the restored database (or
# rename it) and restart the web and worker units.
set -euo pipefail
if (($# != 2)); then
  echo "usage: $0 BACKUP_FILE TARGET_DATABASE_URL (an empty database)" >&2
  exit 2
fi
file=$1
target=$2
[[ -r $file ]] || { echo "$0: cannot read $file" >&2; exit 2; }

tables=$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$target" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if ((tables != 0)); then
  echo "$0: the target database already has $tables tables; restore into an empty one" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$target" "$file"
echo "restored $file"
