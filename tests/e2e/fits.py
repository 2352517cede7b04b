"""Whether a page fits its window: what a student on a small screen or a projector would see cut off.

`misfits(page)` lists, in words, every element of the main area (and of the sidebar when it is open) that does not
fit: content wider than its box (a clipped title, button label or table cell, a table that scrolls sideways), an
element cut off by the box that holds it or by the window, a word broken across two lines, labels of a Plotly
chart drawn over each other or under its toolbar, and a page that scrolls sideways.

What it cannot see: the text inside a table of st.dataframe, which is drawn on a canvas (a column too narrow for its
heading is clipped unseen), so no column there gets a width narrower than its heading.
"""

from __future__ import annotations

from playwright.sync_api import Page

from st_page import WAITING_ELEMENTS

SLACK_PX = 1  # sub-pixel rounding: a box 0.5 px narrower than its text is not a clipped title

MISFITS_JS = """([slack, gridsMayScroll]) => {
const found = [];
const width = window.innerWidth;
const root = document.documentElement;
if (root.scrollWidth > width + slack) found.push(`the page scrolls sideways: ${root.scrollWidth} px in ${width} px`);
const sidebar = document.querySelector('[data-testid="stSidebar"]');
const areas = [document.querySelector('[data-testid="stMain"]')];
if (sidebar && sidebar.getAttribute('aria-expanded') === 'true') areas.push(sidebar);

const up = el => el.parentElement || (el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null);
const within = function* (node) {  // every element under node, shadow roots (a custom component's) included
  for (const el of node.querySelectorAll('*')) {
    yield el;
    if (el.shadowRoot) yield* within(el.shadowRoot);
  }
};
const name = el => {
  let owner = el;
  while (owner && !owner.dataset?.testid) owner = up(owner);
  const text = (el.innerText || el.getAttribute('aria-label') || el.getAttribute('alt') || '').trim();
  return `${el.tagName.toLowerCase()} in ${owner ? owner.dataset.testid : 'the page'}`
         + (text ? ` "${text.replace(/\\s+/g, ' ').slice(0, 50)}"` : '');
};
const shown = el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
const ownText = el => [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
const window_ = el => {  // [left, right] of what the window and the boxes that clip around el let through
  let left = 0, right = width;
  for (let box = up(el); box && box !== root; box = up(box)) {
    if (getComputedStyle(box).overflowX === 'visible') continue;
    const r = box.getBoundingClientRect();
    left = Math.max(left, r.left); right = Math.min(right, r.right);
    if (r.width <= 2) return null;  // a visually hidden box (a radio's real input): nobody is meant to see it
  }
  return [left, right];
};
const SOLID = 'button, canvas, img, input, select, textarea, table, th, td, h1, h2, h3, h4, h5, h6, label, '
            + '[data-testid="stMetricValue"], .main-svg, [role="tab"]';

for (const area of areas.filter(Boolean)) {
  const texts = [area];
  for (const el of within(area)) {
    if (el.shadowRoot) texts.push(el.shadowRoot);
    if (el.closest('svg') && !el.matches('.main-svg')) continue;  // a chart's inside is checked below
    if (el.closest('[data-testid="stElementToolbar"]')) continue;  // shown while hovered or tapped, then gone
    if (gridsMayScroll && el.matches('.dvn-scroller')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2 || !shown(el)) continue;
    const wide = el.scrollWidth > el.clientWidth + slack && el.clientWidth > 0;
    if (wide && scrolls(el)) {
      found.push(`${name(el)} scrolls sideways: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    } else if (wide && (ownText(el) || el.matches(SOLID))) {
      found.push(`${name(el)} is clipped: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    }
    if (el.matches(SOLID) || ownText(el)) {
      const seen = window_(el);
      if (seen && (rect.right > seen[1] + slack || rect.left < seen[0] - slack)) {
        found.push(`${name(el)} is cut off: it spans ${Math.round(rect.left)}-${Math.round(rect.right)} px, `
                   + `${Math.round(seen[0])}-${Math.round(seen[1])} px show`);
      }
    }
  }
  const range = document.createRange();
  for (const tree of texts) {
    const walker = document.createTreeWalker(tree, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('svg') || !shown(parent)) continue;
      for (const word of node.textContent.matchAll(/[\\p{L}\\p{N}]{2,}/gu)) {
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
        if (lines.size > 1) found.push(`"${word[0]}" is broken across lines in ${name(parent)}`);
      }
    }
  }
}
const LABELS = '.textpoint text, .annotation-text, .legendtext, .gtitle, .xtitle, .ytitle, .xtick text, .ytick text';
for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
  if (!shown(chart)) continue;
  const labels = [...chart.querySelectorAll(LABELS)].filter(t => t.textContent.trim())
    .map(t => [t.textContent.trim(), t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
  const box = chart.getBoundingClientRect();
  const meet = (r, s) => r.left < s.right - slack && s.left < r.right - slack && r.top < s.bottom - slack
                         && s.top < r.bottom - slack;
  const toolbar = [...chart.querySelectorAll('.modebar-group')].filter(g => getComputedStyle(g).opacity !== '0')
    .map(g => g.getBoundingClientRect());  // shown for good on a touch screen, on hover elsewhere
  for (const [text, r] of labels) {
    if (r.left < box.left - slack || r.right > box.right + slack || r.top < box.top - slack
        || r.bottom > box.bottom + slack) found.push(`chart label "${text}" is cut off`);
    if (toolbar.some(t => meet(r, t))) found.push(`chart label "${text}" is under the chart's toolbar`);
  }
  labels.forEach(([a, r], i) => labels.slice(i + 1).forEach(([b, s]) => {
    if (meet(r, s)) found.push(`chart labels "${a}" and "${b}" overlap`);
  }));
}
return [...new Set(found)];
}"""


PAINTED_JS = """() => !document.querySelector('[data-testid="stSkeleton"], """ + WAITING_ELEMENTS + """')
    && [...document.querySelectorAll('[data-testid="stDataFrame"]')].every(d => !d.checkVisibility()
                                                                           || d.querySelector('.dvn-scroller'))
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => !c.checkVisibility()
                                                                              || c.querySelector('.main-svg'))"""


def painted(page: Page) -> None:
    """Wait until the widgets, tables and charts on show are drawn: their code loads after the page's own, and a
    skeleton stands in for them meanwhile (for a new tab's charts and tables, an empty space: ui/charts.py)."""
    page.wait_for_function(PAINTED_JS)


def misfits(page: Page, grids_may_scroll: bool = False) -> list[str]:
    """What does not fit in the page as it stands, one line each (empty when everything fits). With
    `grids_may_scroll`, a table of st.dataframe may scroll sideways inside itself (a phone's, its first column
    pinned)."""
    return page.evaluate(MISFITS_JS, [SLACK_PX, grids_may_scroll])
