"""`make bench` prints one table (bench/run_all.py): each measure with its baseline, our figure,
the ratio, the goal and whether it is met; a measure that failed or has no goal says so."""

from bench.run_all import Row, at_least, at_most, percentile, table


def test_the_table_has_one_row_per_measure_with_ratio_goal_and_verdict():
    rows = [
        Row("API throughput", "900 req/s", "450 req/s", 0.5, "≥ 0.5 of the bare view", True),
        Row("form throughput", "900 req/s", "300 req/s", 1 / 3, "≥ 0.4 of the bare view", False),
        Row("memory", "—", "flat", None, "flat in every mode", None),
    ]

    lines = table(rows).splitlines()

    assert lines[0] == "| measure | baseline | Referral Desk | ratio | goal | met |"
    assert lines[1] == "| --- | --- | --- | --- | --- | --- |"
    assert (
        lines[2]
        == "| API throughput | 900 req/s | 450 req/s | 0.50 | ≥ 0.5 of the bare view | yes |"
    )
    assert lines[3].endswith("| 0.33 | ≥ 0.4 of the bare view | **no** |")
    assert lines[4] == "| memory | — | flat | — | flat in every mode | — |"
    assert len(lines) == 5


def test_goals_are_judged_at_their_bound_and_a_failed_measure_is_not_met():
    assert at_least(0.5, 0.5) is True and at_least(0.49, 0.5) is False
    assert at_most(0.25, 0.25) is True and at_most(0.251, 0.25) is False
    assert at_least(None, 0.5) is None and at_most(None, 0.25) is None


def test_p99_of_32_answers_is_the_slowest():
    values = [i / 100 for i in range(1, 33)]
    assert percentile(values, 99) == 0.32
    assert percentile(values, 50) in (0.16, 0.17)
