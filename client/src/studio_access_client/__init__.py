"""studio-access-client: sign in, ask the private access API for a Studio URL, open it."""

__version__ = "0.1.0"
