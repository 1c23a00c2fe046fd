"""The HTML learning report renders: scripts/learning-report turns a learning report's JSON into one page
that headless Chromium draws with every chart.

The fixture (fixtures/learning-report.json) has the exact keys `LearningReport.write(to:)` writes (the
contract in docs/learning.md), with a `null` where a value is undefined. The page is opened from a file
with the network unused (the plotting library is inlined), and checked twice, after its scripts ran:
- the DOM (`chromium --dump-dom`): each metric's chart container holds a drawn plot with one line per
  group (a scatter trace whose path has segments), and the summary tables are there;
- the screenshot (`chromium --screenshot`): the PNG is not blank and each group's line colour is on it.
The checks are shown to fail on a page whose plotting script was removed and on a blank page.

Needs Chromium (Debian package `chromium`; scripts/test-deps installs it as root) and the Python packages
plotly and Pillow (scripts/python-deps).
Run: python3 -m pytest -q tests/report
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "learning-report"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "learning-report.json"
METRICS = ["mean_duration_s", "success_rate", "estimate_error", "recovered_share", "mean_confidence"]
GROUP_COLOURS = {"adapted": (31, 119, 180), "control": (214, 39, 40), "seed_rules": (44, 160, 44)}
WINDOW = (1200, 2600)


# ------------------------------------------------------------------------------------------- helpers

def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is needed: run scripts/test-deps as root "
                    "(apt-get install -y --no-install-recommends chromium)")
    return path


def browse(page: Path, *mode: str) -> subprocess.CompletedProcess:
    """Headless Chromium on the page; virtual time lets the page's scripts finish before the dump or shot."""
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-extensions", f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=15000",
         *mode, page.as_uri()],
        capture_output=True, text=True, timeout=180)


def render(source: Path, out: Path) -> Path:
    result = subprocess.run([sys.executable, str(SCRIPT), str(source), str(out)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, f"learning-report failed:\n{result.stderr}"
    return out


def dom_problems(dom: str, groups: list[str]) -> list[str]:
    """What is missing from the rendered DOM: per chart, a drawn plot with one line per group."""
    problems = []
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<div id="chart-([a-z_]+)"', dom)]
    found = {name for _, name in starts}
    for metric in METRICS:
        if metric not in found:
            problems.append(f"chart-{metric}: no container")
    for index, (start, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(dom)
        section = dom[start:end]
        if '<svg class="main-svg"' not in section:
            problems.append(f"chart-{name}: not drawn (no plot SVG)")
            continue
        traces = len(re.findall(r'<g class="trace scatter', section))
        lines = len(re.findall(r'<path class="js-line" d="M[0-9.,\-]+L', section))
        if traces != len(groups):
            problems.append(f"chart-{name}: {traces} traces, expected {len(groups)}")
        if lines < len(groups):
            problems.append(f"chart-{name}: {lines} drawn lines, expected at least {len(groups)}")
    if '<table id="summary"' not in dom or '<table id="comparison"' not in dom:
        problems.append("summary tables missing")
    return problems


def screenshot_problems(png: Path) -> list[str]:
    """What is wrong with the screenshot: blank, or a group's line colour absent."""
    from PIL import Image

    with Image.open(png) as image:
        pixels = image.convert("RGB")
        width, height = pixels.size
        # A 4-pixel grid is enough to see lines 3 pixels wide drawn across whole charts.
        sample = [pixels.getpixel((x, y)) for y in range(0, height, 2) for x in range(0, width, 2)]
    problems = []
    if (width, height) != WINDOW:
        problems.append(f"screenshot is {width}x{height}, expected {WINDOW[0]}x{WINDOW[1]}")
    inked = sum(1 for p in sample if sum(p) < 600)
    if inked < len(sample) * 0.01:
        problems.append(f"screenshot is blank ({inked} of {len(sample)} sampled pixels not white)")
    for group, colour in GROUP_COLOURS.items():
        near = sum(1 for p in sample if all(abs(a - b) <= 12 for a, b in zip(p, colour)))
        # Five charts, each a line across the width: thousands of pixels; a legend swatch alone is tens.
        if near < 400:
            problems.append(f"the {group} line colour rgb{colour} is on {near} sampled pixels only")
    return problems


# --------------------------------------------------------------------------------------------- tests

@pytest.fixture(scope="module")
def report() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(tmp_path_factory, report) -> Path:
    return render(FIXTURE, tmp_path_factory.mktemp("report") / "learning-report.html")


def test_page_is_self_contained(page):
    text = page.read_text(encoding="utf-8")
    # No script or stylesheet is fetched from anywhere: the plotting library is inlined.
    assert not re.search(r'<script[^>]+src=', text), "the page loads a script from elsewhere"
    assert not re.search(r'<link[^>]+href="http', text), "the page loads a stylesheet from elsewhere"
    assert "Plotly" in text and len(text) > 1_000_000, "plotly.js is not inlined"


def test_dom_after_scripts_has_every_chart_with_a_line_per_group(page, report):
    result = browse(page, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert dom_problems(result.stdout, report["groups"]) == []


def test_screenshot_shows_the_charts(page, tmp_path):
    shot = tmp_path / "report.png"
    result = browse(page, f"--screenshot={shot}")
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    assert screenshot_problems(shot) == []


def test_summary_table_has_the_last_rounds_figures(page, report):
    text = page.read_text(encoding="utf-8")
    summary = report["summary"]
    assert f"last {summary['last_rounds']} rounds" in text
    # The world's domains are objects with a name in the report; the page names them.
    assert "in the domains data-pipeline, security-audit, release-automation" in text
    assert f"{summary['groups']['adapted']['mean_duration_s']:.1f} s" in text
    assert f"{summary['adapted_vs_control']['success_points']:+.1f} points" in text


def test_checks_fail_without_the_plotting_script(page, tmp_path, report):
    """The same checks on the page with plotly.js cut out: no chart is drawn, both checks say so."""
    text = page.read_text(encoding="utf-8")
    # The library is the one large script; the small ones that call it stay (and fail without it).
    broken = re.sub(r"<script>.*?</script>", lambda m: "" if len(m.group(0)) > 100_000 else m.group(0), text,
                    flags=re.S)
    assert len(broken) < len(text) / 10, "the plotly script was not found to remove"
    stripped = tmp_path / "no-script.html"
    stripped.write_text(broken, encoding="utf-8")
    problems = dom_problems(browse(stripped, "--dump-dom").stdout, report["groups"])
    assert any("not drawn" in p for p in problems), problems
    shot = tmp_path / "no-script.png"
    browse(stripped, f"--screenshot={shot}")
    assert any("line colour" in p for p in screenshot_problems(shot))


def test_blank_page_fails_the_screenshot_check(tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    shot = tmp_path / "blank.png"
    browse(blank, f"--screenshot={shot}")
    assert any("blank" in p for p in screenshot_problems(shot))


def test_unreadable_input_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"groups": []}', encoding="utf-8")
    result = subprocess.run([sys.executable, str(SCRIPT), str(bad), str(tmp_path / "out.html")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no 'rounds' key" in result.stderr and not (tmp_path / "out.html").exists()
