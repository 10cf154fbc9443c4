"""The intent a change claims: linked issues, the PR's description and the spec documents, read as
untrusted data (`sources`); the closing keywords that link issues (`refs`); and the `spec` stage that
checks the change against the requirements drawn from them (`stage`)."""
