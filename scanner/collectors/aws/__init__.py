"""The AWS collector: IAM, Organizations, CloudTrail and account-wide guards, read-only, through boto3.

``client.py`` makes sessions and counted clients, ``collector.py`` orchestrates accounts,
``mapping.py`` turns answers into resources and ``policydoc.py`` reads IAM policy documents.
"""
