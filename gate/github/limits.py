"""GitHub's platform limits, as named constants with where each one is documented."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Room:
    """How much text a field takes, counted as GitHub counts it there: in characters or in UTF-8 bytes."""

    limit: int
    in_bytes: bool = False

    def size(self, text: str) -> int:
        return len(text.encode("utf-8")) if self.in_bytes else len(text)

    def fits(self, text: str) -> bool:
        return self.size(text) <= self.limit


# "The Checks API limits the number of annotations to a maximum of 50 per API request."
# https://docs.github.com/rest/checks/runs#create-a-check-run (output.annotations)
CHECK_ANNOTATIONS_PER_REQUEST = 50
# The annotations one check run carries: the gate's bound. Past the first 50, each 50 more cost a
# request that sends the whole summary again, and a PR can hold a finding a line: 500 take 10 of the
# 1,000 requests an hour a repository's GITHUB_TOKEN has. The rest are in the summary and the reports.
# https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github_token-in-github-actions
CHECK_ANNOTATIONS_MAX = 500

# "summary ... Maximum length: 65535 characters." (same for output.text), but GitHub counts bytes: past
# 65,535 bytes of UTF-8 it answers 422 "summary exceeds a maximum bytesize of 65535", so a summary of
# fewer characters with emoji or CJK text is refused and no check run is made.
# https://docs.github.com/rest/checks/runs#create-a-check-run, https://github.com/github/docs/issues/35252
CHECK_SUMMARY_MAX_BYTES = 65_535
CHECK_SUMMARY = Room(CHECK_SUMMARY_MAX_BYTES, in_bytes=True)

# Check-run annotation message/title: GitHub truncates message at 64 KB and title at 255 characters.
# https://docs.github.com/rest/checks/runs#update-a-check-run (annotations[].message, title)
CHECK_ANNOTATION_TITLE_MAX_CHARS = 255
CHECK_ANNOTATION_MESSAGE_MAX_CHARS = 64 * 1024 - 1

# Commit status descriptions are cut at 140 characters by GitHub.
# https://docs.github.com/rest/commits/statuses#create-a-commit-status ("A short description")
STATUS_DESCRIPTION_MAX_CHARS = 140

# Issue and review comment bodies: "body is too long (maximum is 65536 characters)". Measured, an issue
# comment takes up to 262,144 bytes of UTF-8 (65,536 four-byte characters), so 65,536 characters fit
# however the limit is counted.
# https://github.com/orgs/community/discussions/41331, https://github.com/dead-claudia/github-limits/pull/13
COMMENT_BODY_MAX_CHARS = 65_536
COMMENT_BODY = Room(COMMENT_BODY_MAX_CHARS)

# The job summary (GITHUB_STEP_SUMMARY) is limited to 1 MiB per step.
# https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary
STEP_SUMMARY_MAX_BYTES = 1024 * 1024
# less the line break the job summary's writer adds after it (`gate.github.outputs.write_job_summary`)
STEP_SUMMARY = Room(STEP_SUMMARY_MAX_BYTES - 1, in_bytes=True)

# Pagination: "per_page ... The number of results per page (max 100)."
# https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api
PER_PAGE_MAX = 100

# "Responses include a maximum of 3000 files." / "list a maximum of 250 commits for a pull request".
# https://docs.github.com/rest/pulls/pulls#list-pull-requests-files and #list-commits-on-a-pull-request
PR_FILES_MAX = 3_000
PR_COMMITS_MAX = 250

# The diff media type answers 406 past 300 files or 20,000 lines.
# https://docs.github.com/rest/pulls/pulls#get-a-pull-request ("diff ... too large")
DIFF_MAX_FILES = 300
DIFF_MAX_LINES = 20_000

# Annotations shown per step from workflow commands: 10 errors and 10 warnings per step, 50 per job.
# https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#setting-an-error-message
WORKFLOW_COMMAND_ANNOTATIONS_MAX = 10

# Waiting longer than this for a rate limit to reset is worse than failing the run with a clear error.
# https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
MAX_RATE_LIMIT_WAIT_SECONDS = 120.0
# "If you receive a secondary rate limit ... wait for at least one minute" when no header says otherwise.
SECONDARY_RATE_LIMIT_DEFAULT_WAIT_SECONDS = 60.0
RETRY_ATTEMPTS = 4

# "If there are more than 300 files in the commit diff ... the response will include pagination link
# headers for the remaining files, up to a limit of 3000 files."
# https://docs.github.com/rest/commits/commits#get-a-commit
COMMIT_FILES_PER_PAGE = 300
COMMIT_FILES_MAX = 3_000

# Commits whose patches are fetched to attribute each added line to a commit (a request each, one more
# for each 300 files): the gate's bound, so that a PR cannot spend much of the 1,000 requests an hour a
# repository's GITHUB_TOKEN has. Empty commits (tree unchanged) are not counted, as they cost no request.
# Past it, lines are attributed through the workspace's git, or their commit is unknown and the
# thresholds count them as possibly AI.
# https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github_token-in-github-actions
COMMIT_PATCH_FETCH_MAX = 100
