"""Times in the API's representations: the text of `created_at`, `updated_at` and `active_at`."""

from datetime import UTC, datetime

import pytest

from images.api.representations import utc


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=UTC), "2026-01-02T03:04:05Z"),
        (datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), "2026-12-31T23:59:59Z"),
        (datetime(987, 6, 5, 4, 3, 2, tzinfo=UTC), "0987-06-05T04:03:02Z"),
        (None, ""),
    ],
)
def test_a_time_is_written_to_the_second_in_utc_as_the_sdk_reads_it(moment, text):
    assert utc(moment) == text
