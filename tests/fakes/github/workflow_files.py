"""Workflow files of the default fake org (``.github/workflows/*``), served as Git trees and blobs.

GraphQL ``object(expression: "HEAD:.github/workflows")`` answers a ``Tree`` of these and the REST
contents API their base64 text (tests/fakes/github/graphql_api.py ``tree_object``, rest.py
``get_contents``). Each file is a pattern zizmor / OpenSSF Scorecard document, so every workflow
policy has a PASS and a FAIL on the fake org.
"""

from __future__ import annotations

PINNED = "11bd71901bbe5b1630ceea73d27597364c9af683"

API = {
    ".github/workflows/ci.yml": f"""name: ci
on: [push, pull_request]
permissions: {{contents: read}}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {{persist-credentials: false}}
      - uses: golangci/golangci-lint-action@{PINNED}
      - run: make test
""",
    ".github/workflows/deploy.yml": f"""name: deploy
on:
  push: {{branches: [main]}}
permissions: {{contents: read}}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    permissions: {{contents: read, id-token: write}}
    steps:
      - uses: aws-actions/configure-aws-credentials@{PINNED}
        with: {{role-to-assume: 'arn:aws:iam::111122223333:role/gha-deploy-prod', aws-region: eu-west-1}}
      - run: ./deploy.sh
""",
}

WEB = {
    ".github/workflows/preview.yml": """name: preview
on: pull_request_target
jobs:
  preview:
    runs-on: [self-hosted, linux]
    steps:
      - uses: actions/checkout@v4
        with: {ref: '${{ github.event.pull_request.head.sha }}'}
      - uses: actions/setup-node@v4
        with: {node-version: 20, cache: npm}
      - uses: netlify/actions/cli@master
      - run: echo "Preview for ${{ github.event.pull_request.title }}"
""",
    ".github/workflows/release.yml": """name: release
on:
  push: {tags: ['v*']}
permissions: {contents: write}
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with: {node-version: 20, cache: npm}
      - run: npm publish
""",
}

MOBILE = {
    ".github/workflows/release.yml": f"""name: mobile release
on:
  push: {{branches: [main]}}
permissions: {{contents: read, id-token: write}}
jobs:
  build:
    runs-on: macos-14
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v4
        with: {{name: workspace, path: .}}
      - uses: aws-actions/configure-aws-credentials@{PINNED}
        with: {{role-to-assume: 'arn:aws:iam::111122223333:role/gha-mobile-release', aws-region: eu-west-1}}
  notify:
    uses: northwind-labs/shared-workflows/.github/workflows/notify.yml@main
    secrets: inherit
""",
    # Not a workflow: GitHub only runs .yml / .yaml files.
    ".github/workflows/README.md": "Workflows for the mobile app.\n",
}

INFRA = {
    ".github/workflows/terraform.yml": """name: terraform
on: [push, workflow_dispatch]
env:
  AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
jobs:
  plan:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - uses: actions/checkout@v4
      - run: terraform plan
""",
    ".github/workflows/nightly.yml": "name: nightly\non:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  drift: [terraform plan\n",
}
