"""GitHub: a thin PyGithub wrapper, reading the Actions event and the PR, and the Action entrypoint."""
