// Building the page's elements. Data from the server is ALWAYS inserted as text (textContent /
// Node.append(string)); nothing from the server ever goes through innerHTML.

export const $ = (selector) => document.querySelector(selector);

/** Create an element. String children become text nodes; props never set HTML. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso || "";
}

export function truncate(text, max) {
  const clean = (text || "").replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const cut = clean.lastIndexOf(" ", max);
  return `${clean.slice(0, cut > max * 0.6 ? cut : max)}…`;
}

/**
 * `text` as nodes with the [start, end) `spans` in <mark class="...">; spans past the text are dropped.
 * The server computes the spans (figures that answer the question, the quote inside its clause).
 */
export function marked(text, spans, className) {
  const nodes = [];
  let at = 0;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (start < at || end > text.length || end <= start) continue;
    nodes.push(text.slice(at, start), h("mark", { class: className }, text.slice(start, end)));
    at = end;
  }
  nodes.push(text.slice(at));
  return nodes.filter((node) => node !== "");
}

export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the selection-based copy
    }
  }
  const area = h("textarea", { class: "copy-buffer", readonly: true, "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** Resolves on the next frame, so what was just rendered is painted before more arrives. */
export function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
