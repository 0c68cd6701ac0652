// The clause panel: a cited clause opened inside its whole document, the quote highlighted where the
// server says it is (display_start/display_end in the clause's text), and links to a clause (#clause=<id>).

import { $, copyText, formatDate, h, marked } from "./dom.js";
import { errorDetail } from "./stream.js";
import { words } from "./words.js";

const panelEl = $("#panel");
const panelBody = $("#panel-body");
const panelInfo = $("#panel-info");
const panelTitle = $("#panel-title");
const chatColumn = $(".chat-column");
const questionEl = $("#question");
const phone = window.matchMedia("(max-width: 760px)");
const documents = new Map();
let panelTrigger = null;
let panelToken = 0;

export const isPhone = () => phone.matches;

function fetchDocument(id) {
  if (!documents.has(id)) {
    const promise = fetch(`/api/documents/${encodeURIComponent(id)}`).then(async (response) => {
      if (!response.ok) throw new Error((await errorDetail(response)) || `mã ${response.status}`);
      return response.json();
    });
    promise.catch(() => documents.delete(id));
    documents.set(id, promise);
  }
  return documents.get(id);
}

function showPanel() {
  panelEl.hidden = false;
  document.body.classList.add("panel-open");
  chatColumn.inert = phone.matches;
}

function closePanel() {
  if (panelEl.hidden) return;
  panelEl.hidden = true;
  document.body.classList.remove("panel-open");
  chatColumn.inert = false;
  panelToken++;
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  if (panelTrigger && panelTrigger.isConnected) panelTrigger.focus();
  else questionEl.focus();
  panelTrigger = null;
}

/** The cited clause's text with the quote marked (all of it when the quote is the whole clause). */
function clauseContent(clause, c) {
  const text = clause.text || "";
  const start = Number.isInteger(c.display_start) ? c.display_start : 0;
  const end = Number.isInteger(c.display_end) && c.display_end > start ? c.display_end : text.length;
  if (start <= 0 && end >= text.length) return [h("mark", { class: "quote whole" }, text)];
  return marked(text, [[start, end]], "quote");
}

function metaItem(label, value) {
  return value ? h("div", {}, h("dt", {}, label), h("dd", {}, value)) : null;
}

function scrollToCited() {
  // Only the panel scrolls: scrollIntoView would also shift the page itself and hide its header.
  const target = panelBody.querySelector(".clause.cited");
  if (!target) return;
  const offset = target.getBoundingClientRect().top - panelBody.getBoundingClientRect().top;
  panelBody.scrollTop += offset - Math.max(0, (panelBody.clientHeight - target.offsetHeight) / 2);
}

function renderDocument(data, c) {
  const w = words(c.language);
  const clauses = data.clauses || [];
  panelTitle.textContent = data.title || c.document_title || data.source_name || c.source_name || w.document;
  const cited = clauses.find((clause) => clause.id === c.clause_id);
  const trail = c.trail && c.trail.length ? c.trail : (cited && cited.trail) || [];
  const info = h(
    "dl",
    { class: "doc-meta" },
    metaItem(w.meta.number, data.number || c.document_number),
    metaItem(w.meta.province, c.province_label || data.province_label),
    metaItem(w.meta.date, formatDate(data.date || c.date)),
    metaItem(w.meta.type, data.doc_type),
    metaItem(w.meta.issuer, data.issuer),
    metaItem(w.meta.file, data.source_name || c.source_name),
  );
  const place = h(
    "div",
    { class: "cited-location" },
    h(
      "p",
      { class: "cited-label" },
      c.related ? w.relatedLabel : c.n ? w.quoteLabel(c.n) : w.linkedLabel,
      c.path ? ` · ${w.section.toLowerCase()} ${c.path}` : "",
    ),
    trail.length ? h("ol", { class: "trail", "aria-label": w.trail }, trail.map((t) => h("li", {}, t))) : null,
    h(
      "span",
      { class: "location-actions" },
      h("button", { type: "button", class: "link-button goto-cited", onclick: scrollToCited }, w.gotoQuote),
      h(
        "button",
        {
          type: "button",
          class: "link-button copy-link",
          onclick: async (event) => {
            const ok = await copyText(location.href);
            event.currentTarget.textContent = ok ? w.linkCopied : w.linkNotCopied;
          },
        },
        w.copyLink,
      ),
    ),
  );
  const body = h("div", { class: "doc-text", "aria-label": "Toàn văn" });
  for (const clause of clauses) {
    const isCited = clause === cited;
    body.append(
      h(
        clause.kind === "heading" ? "h3" : "p",
        {
          class: `clause kind-${clause.kind || "paragraph"}${isCited ? " cited" : ""}`,
          dataset: { clauseId: clause.id, path: clause.path || "" },
        },
        isCited ? clauseContent(clause, c) : clause.text,
      ),
    );
  }
  if (!cited) {
    body.prepend(
      h("p", { class: "error-box" }, w.notLocated),
      h("blockquote", { class: "clause cited" }, h("mark", { class: "quote whole" }, c.quote_display)),
    );
  }
  panelInfo.replaceChildren(info, place);
  panelBody.replaceChildren(body);
  scrollToCited();
}

/** Open citation `c` (as /api/ask/stream sends it) in the panel; `trigger` gets the focus back on close. */
export async function openCitation(c, trigger) {
  const w = words(c.language);
  const token = ++panelToken;
  panelTrigger = trigger;
  showPanel();
  if (c.clause_id) history.replaceState(null, "", `#clause=${encodeURIComponent(c.clause_id)}`);
  panelTitle.textContent = c.document_title || c.source_name || w.document;
  panelInfo.replaceChildren();
  panelBody.replaceChildren(h("p", { class: "status loading", role: "status" }, h("span", { class: "spinner" }), w.opening));
  panelTitle.focus({ preventScroll: true });
  let data;
  try {
    data = await fetchDocument(c.document_id);
  } catch (error) {
    if (token !== panelToken) return;
    panelBody.replaceChildren(
      h("div", { class: "error-box", role: "alert" }, h("p", {}, w.cannotOpen(error.message))),
      h("blockquote", { class: "clause cited" }, h("mark", { class: "quote whole" }, c.quote_display)),
    );
    return;
  }
  if (token !== panelToken) return;
  renderDocument(data, c);
}

/** Open the clause named by a link `#clause=<id>` (the panel's "copy link" gives such links). */
async function openLinkedClause() {
  const match = /^#clause=(.+)$/.exec(location.hash);
  if (!match) return;
  const id = decodeURIComponent(match[1]);
  let context;
  try {
    const response = await fetch(`/api/clauses/${encodeURIComponent(id)}`);
    if (!response.ok) throw new Error((await errorDetail(response)) || `mã ${response.status}`);
    context = await response.json();
  } catch (error) {
    showPanel();
    panelTitle.textContent = "Không mở được điều khoản";
    panelInfo.replaceChildren();
    panelBody.replaceChildren(
      h("div", { class: "error-box", role: "alert" }, h("p", {}, `Liên kết không hợp lệ hoặc văn bản đã bị xoá (${error.message}).`)),
    );
    return;
  }
  const { clause, document: doc } = context;
  openCitation(
    {
      n: null, clause_id: clause.id, document_id: doc.id, document_title: doc.title, document_number: doc.number,
      source_name: doc.source_name, province: doc.province, province_current: doc.province_current, date: doc.date,
      path: clause.path, trail: context.trail, quote_display: clause.text, display_start: 0,
      display_end: clause.text.length, source_line: context.source_line, related: false, language: "vi",
    },
    null,
  );
}

export function setUpPanel() {
  phone.addEventListener("change", () => {
    chatColumn.inert = phone.matches && !panelEl.hidden;
  });
  $("#panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panelEl.hidden) {
      event.preventDefault();
      closePanel();
    }
  });
  window.addEventListener("hashchange", openLinkedClause);
  openLinkedClause();
}
