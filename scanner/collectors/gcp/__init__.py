"""Google Cloud collector: Cloud Asset Inventory first, Resource Manager + IAM as the fallback."""
