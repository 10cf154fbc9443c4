"""AI Quality Gate: gates pull requests on the risks specific to AI-generated code."""
