#!/bin/sh
# Grant the posture audit identity its read-only roles at the organization.
#   ORG_ID=123456789012 MEMBER=serviceAccount:posture-audit@PROJECT.iam.gserviceaccount.com sh grant.sh
# MEMBER may be a group or a Workload Identity principalSet (keyless CI).
set -eu
: "${ORG_ID:?set ORG_ID}" "${MEMBER:?set MEMBER}"
here=$(dirname "$0")
gcloud iam roles describe postureBucketAuditor --organization="$ORG_ID" >/dev/null 2>&1 ||
  gcloud iam roles create postureBucketAuditor --organization="$ORG_ID" --file="$here/posture-audit-role.yaml"
grep -v '^#' "$here/posture-audit-roles.txt" | awk '{print $1}' | sed "s/ORG_ID/$ORG_ID/" | while read -r role; do
  [ -n "$role" ] && gcloud organizations add-iam-policy-binding "$ORG_ID" --member="$MEMBER" --role="$role" --condition=None >/dev/null
done
echo "granted $(grep -vc '^#' "$here/posture-audit-roles.txt") roles to $MEMBER on organizations/$ORG_ID"
