"""The Experiments page at a phone's width, on the records of tiny experiment runs: each tab's
tables read without scrolling sideways, and the recall chart keeps the width for its bars, its
legend under the plot and every digit named on its axis."""

from __future__ import annotations

import shutil

import pytest

from tests.browser import browser_test_marks, run_app, wait_until_idle

pytestmark = browser_test_marks()

# A table's scroller, how wide its content is and how wide it shows: an st.dataframe's grid, or
# the box around an st.table.
TABLE_WIDTHS_JS = """tables => tables.filter(t => t.offsetParent).map(t => {
  const box = t.querySelector('.dvn-scroller') || t.querySelector('table').parentElement;
  return [box.scrollWidth, box.clientWidth];
})"""
# The recall chart's x labels that show, and whether its legend is under the plot.
RECALL_CHART_JS = """chart => {
  const axis = [...chart.querySelectorAll('g.role-axis')]
    .find(a => (a.getAttribute('aria-label') || '').startsWith('X-axis'));
  const group = axis.querySelector('g.role-axis-label');
  const labels = [...group.querySelectorAll('text')]
    .filter(t => t.getAttribute('opacity') !== '0').map(t => t.textContent);
  const legend = chart.querySelector('g.role-legend').getBoundingClientRect();
  return {labels, under: legend.top >= group.getBoundingClientRect().bottom};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_experiments):
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(tiny_experiments[0] / "experiments", home / "experiments")
    with run_app(home) as app:
        yield app


@pytest.mark.parametrize("width, height", [(360, 740), (390, 844)])
def test_the_results_fit_a_phone(server, browser, width, height):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    try:
        page = context.new_page()
        page.goto(f"{server.url}/experiments")
        page.wait_for_selector('[data-testid="stVegaLiteChart"] svg', timeout=60_000)
        wait_until_idle(page, timeout=60)
        chart = page.locator('[data-testid="stVegaLiteChart"]:visible svg').first
        assert chart.evaluate(RECALL_CHART_JS) == {"labels": list("0123456789"), "under": True}
        for tab in page.get_by_role("tab").all():
            tab.tap()
            wait_until_idle(page)
            page.wait_for_timeout(500)  # the grid sizes its columns after it is drawn
            tables = '[data-testid="stDataFrame"], [data-testid="stTable"]'
            widths = page.locator(tables).evaluate_all(TABLE_WIDTHS_JS)
            assert widths, tab.inner_text()
            assert all(content <= shown for content, shown in widths), (tab.inner_text(), widths)
    finally:
        context.close()
