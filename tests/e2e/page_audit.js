// page_audit.js: what a reader or a moderator would notice, measured in the page (test_themes.py
// evaluates it with a CSS selector for the part to check):
// - every visible text, and the value of every field, against the background it is drawn on
//   (blended through translucent layers): contrast under 4.5:1, or 3:1 for large text (WCAG AA
//   1.4.3; disabled controls are exempt);
// - the controls a finger must hit, with their sizes (a checkbox's target includes its label;
//   links inside running text are exempt, as WCAG 2.5.8 allows);
// - whether the page scrolls sideways.
(scope) => {
  const root = document.querySelector(scope) || document.body;

  const rgba = (css) => {
    const m = css.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const canvas = () => {
    const html = getComputedStyle(document.documentElement);
    const own = rgba(html.backgroundColor);
    if (own[3] > 0) return over(own, [255, 255, 255, 1]);
    const darkCanvas = html.colorScheme.includes("dark") && matchMedia("(prefers-color-scheme: dark)").matches;
    return darkCanvas ? [18, 18, 18, 1] : [255, 255, 255, 1];
  };
  const background = (el) => {
    const layers = [];
    for (let n = el; n && n !== document.documentElement; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    const base = layers.length && layers[layers.length - 1][3] >= 1 ? [0, 0, 0, 1] : canvas();
    return layers.reverse().reduce((under, top) => over(top, under), base);
  };
  const luminance = (c) => {
    const f = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  };
  const describe = (el) => {
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
    const text = (el.innerText || el.value || "").trim().slice(0, 40);
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls + ' "' + text + '"';
  };

  const lowContrast = [];
  const texts = new Set();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) if (walker.currentNode.nodeValue.trim()) texts.add(walker.currentNode.parentElement);
  root.querySelectorAll("input:not([type=checkbox]):not([type=hidden]), textarea, select").forEach((f) => texts.add(f));
  for (const el of texts) {
    if (!visible(el) || el.closest(":disabled, noscript")) continue;
    const s = getComputedStyle(el);
    const bg = background(el);
    const fg = over(rgba(s.color), bg);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(s.fontWeight, 10) >= 700);
    const r = ratio(fg, bg);
    if (r < (large ? 3 : 4.5)) {
      lowContrast.push(describe(el) + " " + r.toFixed(2) + ":1, " + s.color + " on rgb(" + bg.slice(0, 3).join(", ") + ")");
    }
  }

  const smallTargets = [];
  root.querySelectorAll("button, input:not([type=hidden]), select, textarea, summary, a[href]").forEach((el) => {
    if (!visible(el)) return;
    // Not for a finger: hidden from people on purpose (the form's honeypot, off-screen).
    if (el.closest('[aria-hidden="true"]') && el.tabIndex < 0) return;
    if (el.tagName === "A" && el.closest("p, li") && !el.closest("nav")) return;
    let r = el.getBoundingClientRect();
    if (el.type === "checkbox" && el.labels && el.labels[0]) {
      const l = el.labels[0].getBoundingClientRect();
      r = {
        width: Math.max(r.right, l.right) - Math.min(r.left, l.left),
        height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top),
      };
    }
    if (r.width < 43.5 || r.height < 43.5) smallTargets.push(describe(el) + " " + Math.round(r.width) + "x" + Math.round(r.height));
  });

  return {
    lowContrast,
    smallTargets,
    scrollsSideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    scheme: matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light",
    background: background(root).slice(0, 3),
  };
}
