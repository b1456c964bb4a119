"""STS checks: GetCallerIdentity and AssumeRole, as applications call them to learn their account."""
