"""Where a run comes from: a local git range, a patch or mbox series, or a GitHub pull request."""
