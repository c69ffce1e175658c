"""The colours of the widget and the moderator console, read off their stylesheets: every colour is a
custom property (a site can match its theme), each has a light and a dark value, the documented
list is the real one, and the pairs the pages draw text with reach WCAG AA contrast (4.5:1) in
both schemes, including states the browser tests do not put on screen. The browser tests
(tests/e2e/test_themes.py) measure what is actually rendered."""

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
DOCS = Path(__file__).resolve().parents[2] / "docs"
LITERAL = re.compile(
    r"#[0-9a-fA-F]{3,8}\b|\b(?:rgb|rgba|hsl|hsla|hwb|lab|lch|oklab|oklch)\(|"
    r"\b(?:white|black|red|green|blue|gray|grey|yellow|orange|purple|pink|silver)\b"
)


def css(name: str) -> str:
    return re.sub(r"/\*.*?\*/", "", (WEB / name).read_text(), flags=re.S)


def declarations(text: str) -> list[tuple[str, str]]:
    return [(p.strip(), v.strip()) for p, v in re.findall(r"([\w-]+)\s*:\s*([^;{}]+);", text)]


def luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    x, y = sorted((luminance(a), luminance(b)), reverse=True)
    return (x + 0.05) / (y + 0.05)


# ---- the widget -----------------------------------------------------------------------------------

WIDGET_PALETTE = re.compile(r"--_cw-([\w-]+):\s*var\(--cw-\1,\s*light-dark\((#\w+),\s*(#\w+)\)\);")


def widget_palette() -> dict[str, tuple[str, str]]:
    """name -> (light, dark), from the widget's one definition of each colour."""
    return {name: (light, dark) for name, light, dark in WIDGET_PALETTE.findall(css("comments-widget.css"))}


def test_every_colour_of_the_widget_is_a_custom_property_with_a_light_and_a_dark_value() -> None:
    text = css("comments-widget.css")
    palette = widget_palette()
    assert len(palette) >= 16
    used = set(re.findall(r"var\(--_cw-([\w-]+)\)", text))
    assert used == set(palette), f"used but not defined, or defined and unused: {used ^ set(palette)}"
    for prop, value in declarations(text):
        if not prop.startswith("--"):
            assert not LITERAL.search(value), f"a colour that is no custom property: {prop}: {value}"


def test_the_widgets_fallback_for_older_browsers_is_the_light_palette() -> None:
    text = css("comments-widget.css")
    block = text[text.index("@supports not (color: light-dark(") :]
    fallback = dict(re.findall(r"--_cw-([\w-]+):\s*var\(--cw-\1,\s*(#\w+)\);", block))
    assert fallback == {name: light for name, (light, _) in widget_palette().items()}


def test_the_widgets_properties_are_the_documented_ones() -> None:
    readme = (WEB / "README.md").read_text()
    documented = set(re.findall(r"`--cw-([\w-]+)`", readme))
    assert documented == set(widget_palette())


WIDGET_TEXT = [  # (text, background): what the widget writes on what
    ("text", "bg"),
    ("text", "soft"),
    ("text", "ok-bg"),
    ("text", "warn-bg"),
    ("text", "error-bg"),
    ("muted", "bg"),
    ("muted", "soft"),
    ("accent", "bg"),
    ("accent", "soft"),
    ("accent", "ok-bg"),
    ("accent", "error-bg"),
    ("on-accent", "accent"),
    ("error", "bg"),
    ("error", "soft"),
    ("warn", "warn-bg"),
    ("text", "flash"),
]


@pytest.mark.parametrize("scheme", [0, 1], ids=["light", "dark"])
@pytest.mark.parametrize(("fg", "bg"), WIDGET_TEXT)
def test_the_widgets_text_colours_reach_aa_contrast(scheme: int, fg: str, bg: str) -> None:
    palette = widget_palette()
    ratio = contrast(palette[fg][scheme], palette[bg][scheme])
    assert ratio >= 4.5, f"{fg} on {bg}: {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", [0, 1], ids=["light", "dark"])
def test_the_widgets_field_borders_and_focus_ring_stand_out(scheme: int) -> None:
    palette = widget_palette()
    for fg in ("border", "focus"):
        ratio = contrast(palette[fg][scheme], palette["bg"][scheme])
        assert ratio >= 3, f"{fg} on bg: {ratio:.2f}:1 (WCAG 1.4.11 asks 3:1)"


# ---- the console ----------------------------------------------------------------------------------


def console_palettes() -> tuple[dict[str, str], dict[str, str]]:
    """(light, dark): the :root properties, then those of the dark scheme's block."""
    text = css("moderation.css")
    light = text[text.index(":root {") : text.index("}", text.index(":root {"))]
    dark_at = text.index("@media (prefers-color-scheme: dark)")
    dark = text[dark_at : text.index("}", text.index(":root {", dark_at))]
    pick = lambda block: {p[2:]: v for p, v in declarations(block) if p.startswith("--")}  # noqa: E731
    return pick(light), pick(dark)


def test_every_colour_of_the_console_is_a_custom_property_with_a_dark_value() -> None:
    light, dark = console_palettes()
    assert set(light) == set(dark), f"without a dark value: {set(light) ^ set(dark)}"
    text = css("moderation.css")
    used = set(re.findall(r"var\(--([\w-]+)\)", text))
    assert used == set(light), f"used but not defined, or defined and unused: {used ^ set(light)}"
    for prop, value in declarations(text):
        if not prop.startswith("--"):
            assert not LITERAL.search(value), f"a colour that is no custom property: {prop}: {value}"


def test_the_consoles_properties_are_the_documented_ones() -> None:
    page = (DOCS / "moderation.md").read_text()
    start = page.index("### Dark mode, phones and colours")
    section = page[start : page.index("\n### ", start + 1)]
    documented = set(re.findall(r"`--([\w-]+)`", section))
    assert documented == set(console_palettes()[0])


CONSOLE_TEXT = [
    ("text", "bg"),
    ("text", "field"),
    ("text", "soft"),
    ("text", "current-bg"),
    ("text", "mark"),
    ("text", "mark-reject"),
    ("muted", "bg"),
    ("muted", "soft"),
    ("muted", "current-bg"),
    ("accent", "bg"),
    ("accent", "soft"),
    ("accent", "current-bg"),  # the article's link on the highlighted card
    ("on-accent", "accent"),
    ("on-ok", "ok"),
    ("ok", "bg"),  # a bulk action's outcomes: approved by you
    ("warn", "bg"),  # ... already decided by another moderator
    ("on-error", "error"),
    ("error", "bg"),
    ("error", "current-bg"),
    ("ok", "ok-bg"),
    ("warn", "warn-bg"),
    ("error", "error-bg"),
]


@pytest.mark.parametrize("scheme", [0, 1], ids=["light", "dark"])
@pytest.mark.parametrize(("fg", "bg"), CONSOLE_TEXT)
def test_the_consoles_text_colours_reach_aa_contrast(scheme: int, fg: str, bg: str) -> None:
    palette = console_palettes()[scheme]
    ratio = contrast(palette[fg], palette[bg])
    assert ratio >= 4.5, f"{fg} on {bg}: {ratio:.2f}:1"
