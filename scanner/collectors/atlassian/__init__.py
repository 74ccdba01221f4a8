"""Atlassian Cloud (Jira, Confluence, the organization) collector."""
