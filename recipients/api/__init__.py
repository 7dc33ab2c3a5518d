"""The REST API's recipients part: token authentication and throttling, units and groups."""
