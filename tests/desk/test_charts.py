"""The analytics charts' geometry: the weekly chart's bars print their coordinates as the template
would print each number on its own."""

from django.template import Context, Template

from desk import charts


def test_a_weekly_bar_prints_its_coordinates_as_the_template_prints_each_number():
    chart = charts.weekly([("Nov 3", 7, 3), ("Nov 10", 1, 0), ("Nov 17", 12, 11)])
    each = Template(
        'x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}"'
    )
    together = Template("{{ bar.box }}")
    assert len(chart.bars) == 6
    for bar in chart.bars:
        assert together.render(Context({"bar": bar})) == each.render(Context({"bar": bar}))
    # 160 px for the busiest week (12): a week of 1 is 13.333… px high, printed in full.
    assert 'height="13.333333333333334"' in together.render(Context({"bar": chart.bars[2]}))
