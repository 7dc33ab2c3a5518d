"""Every read for a user, through the scoping doors of `scope`."""
