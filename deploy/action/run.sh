#!/usr/bin/env bash
# The scan step of action.yml: turn the action's inputs (IN_* variables, never interpolated into
# the script) into `posture scan` arguments, sign in keylessly to Azure and GCP from the job's
# OIDC token, run the scan, and hand the exit code to the Gate step through GITHUB_OUTPUT.
# The step itself never fails: the SARIF upload and the job summary happen whatever the verdict.
set -uo pipefail

args=(scan)
work="${RUNNER_TEMP:-$(mktemp -d)}"
sarif="$work/posture.sarif"

split() { tr ', ' '\n\n' <<<"$1" | sed '/^$/d'; }

while read -r org; do args+=(--github-org "$org"); done < <(split "${IN_ORGS:-}")
while read -r dir; do args+=(--policies "$dir"); done < <(split "${IN_POLICIES:-}")
[ -n "${IN_CONFIG:-}" ] && args+=(--config "$IN_CONFIG")
[ -n "${IN_AWS_ROLE:-}" ] && args+=(--aws)
[ "${IN_AWS_ORG:-false}" = "true" ] && args+=(--aws-organization)
[ -n "${IN_FAIL_ON:-}" ] && args+=(--fail-on "$IN_FAIL_ON")
[ "${IN_NEW_ONLY:-false}" = "true" ] && args+=(--new-only)

oidc_token() {  # the job's GitHub OIDC token for one audience (needs id-token: write)
  if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
    echo "posture-action: error: cloud sign-in needs 'permissions: id-token: write' on the job" >&2
    exit 2
  fi
  curl -fsS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
    "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$1" | python -c 'import json,sys; print(json.load(sys.stdin)["value"])'
}

if [ -n "${IN_AZURE_CLIENT:-}" ]; then
  # azure-identity's WorkloadIdentityCredential (inside DefaultAzureCredential) reads these.
  umask 077
  oidc_token "api://AzureADTokenExchange" > "$work/azure-federated-token"
  export AZURE_CLIENT_ID="$IN_AZURE_CLIENT" AZURE_TENANT_ID="$IN_AZURE_TENANT"
  export AZURE_FEDERATED_TOKEN_FILE="$work/azure-federated-token"
  args+=(--azure)
fi

if [ -n "${IN_GCP_PROVIDER:-}" ]; then
  # An external-account credential file (Workload Identity Federation) for Application Default Credentials.
  umask 077
  oidc_token "https://iam.googleapis.com/$IN_GCP_PROVIDER" > "$work/gcp-oidc-token"
  IN_WORK="$work" python - <<'PY'
import json, os
work = os.environ["IN_WORK"]
config = {
    "type": "external_account",
    "audience": "//iam.googleapis.com/" + os.environ["IN_GCP_PROVIDER"],
    "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
    "token_url": "https://sts.googleapis.com/v1/token",
    "credential_source": {"file": os.path.join(work, "gcp-oidc-token")},
}
if os.environ.get("IN_GCP_SA"):
    config["service_account_impersonation_url"] = (
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
        + os.environ["IN_GCP_SA"] + ":generateAccessToken")
with open(os.path.join(work, "gcp-credentials.json"), "w") as handle:
    json.dump(config, handle)
PY
  export GOOGLE_APPLICATION_CREDENTIALS="$work/gcp-credentials.json"
  [ -n "${IN_GCP_ORG:-}" ] && args+=(--gcp-organization "$IN_GCP_ORG")
fi

# Further arguments, split like a shell would but without evaluating anything.
if [ -n "${IN_ARGS:-}" ]; then
  read -r -a extra <<<"$IN_ARGS"
  args+=("${extra[@]}")
fi
args+=(--format "sarif:$sarif")

posture "${args[@]}"
code=$?
{
  echo "exit-code=$code"
  [ -f "$sarif" ] && echo "sarif=$sarif"
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
