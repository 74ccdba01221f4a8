"""Azure Resource Manager + Microsoft Entra ID (Graph) collector: subscriptions, role-based access,
users, service principals and tenant sign-in policy, read-only."""
