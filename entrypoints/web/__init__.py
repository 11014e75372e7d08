"""The web view: server-rendered pages over the same handlers as the API."""
