#!/usr/bin/env bash
# Back up the database: one pg_dump in PostgreSQL's custom format (compressed, restorable with
# deploy/restore.sh), named by the UTC date and time, in BACKUP_DIR (readable by its owner only).
# Backups older than BACKUP_KEEP_DAYS are removed. Prints the new file's path.
# The dumps hold client details (health information): keep BACKUP_DIR on an encrypted disk and
# copy it off the host the same way.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
dir=${BACKUP_DIR:-/var/backups/referral-desk}
keep=${BACKUP_KEEP_DAYS:-14}

umask 077
mkdir -p "$dir"
file="$dir/referral-desk-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name, so a failed or interrupted dump never looks like a backup.
pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$DATABASE_URL"
mv "$file.partial" "$file"
find "$dir" -maxdepth 1 -name 'referral-desk-*.dump' -mtime +"$keep" -delete
echo "$file"
