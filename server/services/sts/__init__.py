"""STS: who the caller is, and temporary credentials that act as another account's role."""
