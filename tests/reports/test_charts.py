"""The report's charts as SVG drawn by a template: bars as long as their values, round axis
steps written the reader's way, a legend for several series, and a well-formed SVG whatever
the labels say."""

import re
from xml.etree import ElementTree

import pytest
from django.utils import translation

from loans.reports.drawing import PALETTE, Chart, draw, layout, tick_step

SVG = "{http://www.w3.org/2000/svg}"


def chart(categories, *series, title="Applications by department", unit="applications") -> Chart:
    return Chart(name="test", title=title, categories=categories, series=list(series), unit=unit, columns=[])


def _widths(drawing: dict) -> list[float]:
    return [float(bar["width"]) for bar in drawing["bars"]]


def test_each_bar_is_as_long_as_its_value_and_the_largest_reaches_the_axis_end():
    drawing = layout(chart(["Antioquia", "Bogotá, D.C.", "Cesar"], ("Submitted", [50, 100, None])))
    plot = drawing["plot"]

    length = float(plot["right"]) - float(plot["left"])
    assert _widths(drawing) == [pytest.approx(length * share, abs=0.1) for share in (0.5, 1, 0)]
    assert [tick["label"] for tick in drawing["ticks"]] == ["0", "20", "40", "60", "80", "100"]
    assert drawing["ticks"][-1]["x"] == plot["right"]


@pytest.mark.parametrize(
    ("largest", "step"),
    [(100, 20), (1234, 250), (7, 2), (0.3, 0.1), (71.43, 20), (33964, 10_000), (1, 0.2)],
)
def test_the_axis_steps_are_round(largest, step):
    assert tick_step(largest) == pytest.approx(step)


def test_tick_labels_are_written_the_readers_way():
    thousands = chart(["Antioquia"], ("Millions of pesos", [1234]))
    fractions = chart(["Antioquia"], ("PAR30 (%)", [0.3]))

    with translation.override("es"):
        assert [t["label"] for t in layout(thousands)["ticks"]] == ["0", "250", "500", "750", "1.000", "1.250"]
        assert [t["label"] for t in layout(fractions)["ticks"]] == ["0,0", "0,1", "0,2", "0,3"]
    with translation.override("en"):
        assert [t["label"] for t in layout(thousands)["ticks"]][-2:] == ["1,000", "1,250"]
        assert [t["label"] for t in layout(fractions)["ticks"]] == ["0.0", "0.1", "0.2", "0.3"]


def test_numbers_the_svg_reads_are_never_localised():
    # In Spanish 12.5 is written 12,5, which an SVG attribute would read as two numbers.
    with translation.override("es"):
        svg = draw(chart(["A", "B", "C"], ("Requested", [12.5, 3.25, 1]), ("Approved", [1.5, 2, 0])))

    for name, value in re.findall(r'\s(x|y|x1|y1|x2|y2|width|height)="([^"]*)"', svg):
        assert re.fullmatch(r"\d+(\.\d)?|100%", value), (name, value)


def test_several_series_get_side_by_side_bars_a_colour_each_and_a_legend():
    drawing = layout(
        chart(["Antioquia", "Cesar"], ("Submitted", [10, 8]), ("Approved", [6, 4]), ("Disbursed", [5, 2]))
    )

    assert [item["label"] for item in drawing["legend"]] == ["Submitted", "Approved", "Disbursed"]
    assert [item["colour"] for item in drawing["legend"]] == PALETTE[:3]
    # Series after series, category after category: Antioquia's three bars sit one under the other.
    bars = drawing["bars"]
    assert [bar["colour"] for bar in bars] == [PALETTE[0]] * 2 + [PALETTE[1]] * 2 + [PALETTE[2]] * 2
    antioquia = [bars[0], bars[2], bars[4]]
    for upper, lower in zip(antioquia, antioquia[1:], strict=False):
        assert float(lower["y"]) == pytest.approx(float(upper["y"]) + float(upper["height"]), abs=0.1)
    assert float(bars[1]["y"]) > float(bars[4]["y"]) + float(bars[4]["height"])  # Cesar below, with a gap


def test_one_series_has_no_legend():
    assert layout(chart(["Antioquia"], ("Applications", [3])))["legend"] == []


def test_a_chart_without_data_draws_an_empty_axis():
    drawing = layout(chart([], ("Applications", [])))

    assert drawing["bars"] == []
    assert [tick["label"] for tick in drawing["ticks"]] == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    assert _widths(layout(chart(["Antioquia"], ("Applications", [None]))))[0] == 0


def test_labels_are_escaped_and_the_svg_is_well_formed():
    title = 'R&D <script>alert("x")</script>'
    svg = draw(chart(["Tom & Jerry's <b>"], ("A & B", [1]), ("C", [2]), title=title, unit="< 5"))

    assert svg.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "<script" not in svg
    root = ElementTree.fromstring(svg.encode())
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert texts[:4] == [title, "A & B", "C", "Tom & Jerry's <b>"]
    assert texts[-1] == "< 5"
    assert root.find(f"{SVG}title").text == title
    assert root.get("role") == "img"
