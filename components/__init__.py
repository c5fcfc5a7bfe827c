"""The studio-access Pulumi program: one module per component, plus config and cross-stack wiring."""
