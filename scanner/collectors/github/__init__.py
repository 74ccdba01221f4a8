"""GitHub collector package: ``collector.GitHubCollector`` reads organizations, members and repositories.

``client`` (HTTP, rate limits, ETag cache), ``auth`` (token or App installation), ``queries``
(GraphQL), ``mapping`` (raw answers -> resources). Nothing here runs at import time.
"""
