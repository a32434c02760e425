"""The four jobs: expiry notifications and revocation, each per platform, under the JobRun lock."""
