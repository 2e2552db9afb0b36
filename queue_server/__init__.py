"""The central queue server: engine, storage, API, push and pages."""
