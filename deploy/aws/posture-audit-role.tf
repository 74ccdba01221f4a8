# Terraform: the read-only role posture assumes in a member account (apply per account, e.g.
# with a provider alias per account). The scanner's own identity additionally needs the
# organizations:* reads of deploy/aws/posture-audit-policy.json in the management account.

variable "auditor_account_id" {
  type        = string
  description = "Account the scanner runs from (management or delegated security account)"
}

variable "external_id" {
  type        = string
  sensitive   = true
  description = "Shared external id passed with --aws-external-id"
}

data "aws_iam_policy_document" "posture_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.auditor_account_id}:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

resource "aws_iam_role" "posture_audit" {
  name                 = "PostureAudit"
  max_session_duration = 3600
  assume_role_policy   = data.aws_iam_policy_document.posture_trust.json
}

resource "aws_iam_role_policy" "posture_audit" {
  name   = "posture-audit"
  role   = aws_iam_role.posture_audit.id
  policy = file("${path.module}/posture-audit-policy.json")
}

output "posture_audit_role_arn" {
  value = aws_iam_role.posture_audit.arn
}
