# Read-only audit identity for posture at a Google Cloud organization (Terraform, google provider).
# Grant it to a service account that CI reaches through Workload Identity Federation (no key).

variable "org_id" { type = string }
variable "member" {
  type        = string
  description = "serviceAccount:..., group:... or a principalSet:// of a Workload Identity pool"
}

resource "google_organization_iam_custom_role" "posture_bucket_auditor" {
  org_id      = var.org_id
  role_id     = "postureBucketAuditor"
  title       = "posture bucket auditor"
  description = "Read Cloud Storage bucket settings and IAM policies (no object data) for the posture audit"
  permissions = ["storage.buckets.list", "storage.buckets.get", "storage.buckets.getIamPolicy"]
}

locals {
  posture_roles = [
    "roles/cloudasset.viewer",
    "roles/browser",
    "roles/iam.securityReviewer",
    "roles/iam.serviceAccountViewer",
    "roles/iam.workloadIdentityPoolViewer",
    "roles/orgpolicy.policyViewer",
    "roles/essentialcontacts.viewer",
    google_organization_iam_custom_role.posture_bucket_auditor.name,
  ]
}

resource "google_organization_iam_member" "posture" {
  for_each = toset(local.posture_roles)
  org_id   = var.org_id
  role     = each.value
  member   = var.member
}
