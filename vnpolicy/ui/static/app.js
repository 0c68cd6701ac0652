// Officials' chat page: ask, stream a cited answer, open each cited clause inside its document.
// Plain ES module, no dependencies. Data from the server is ALWAYS inserted as text (textContent /
// Node.append(string)); nothing from the server ever goes through innerHTML.

const $ = (selector) => document.querySelector(selector);

/** Create an element. String children become text nodes; props never set HTML. */
function h(tag, props = {}, ...children) {
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

// --- formatting ----------------------------------------------------------------------------------------

function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso || "";
}

function provinceLabel(name, current) {
  if (!name) return current ? `tỉnh ${current}` : "";
  return current && current !== name ? `${name} (nay thuộc ${current})` : name;
}

function truncate(text, max) {
  const clean = (text || "").replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  const cut = clean.lastIndexOf(" ", max);
  return `${clean.slice(0, cut > max * 0.6 ? cut : max)}…`;
}

/** Display form of an original-text span, mirroring ingest.normalize.clean_span (roughly). */
function cleanSpan(raw) {
  return (raw || "")
    .normalize("NFC")
    .split(/\r\n|\r|\n/)
    .filter((line) => !/^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$/.test(line) || !line.trim())
    .join(" ")
    .replaceAll("**", "")
    .replaceAll("\ufffd", "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Whitespace-normalised copy of `text` plus, for each of its characters, the index in `text`. */
function normaliseWithMap(text) {
  let out = "";
  const map = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      if (out.length && !space) {
        out += " ";
        map.push(i);
      }
      space = true;
    } else {
      out += ch;
      map.push(i);
      space = false;
    }
  }
  return { text: out, map };
}

/** [start, end) of `needle` inside `haystack`, comparing whitespace-normalised forms; null if absent. */
function findSpan(haystack, needle) {
  const target = needle.replace(/\s+/g, " ").trim();
  if (target.length < 2) return null;
  const hay = normaliseWithMap(haystack.normalize("NFC"));
  let at = hay.text.indexOf(target);
  if (at < 0) at = hay.text.toLowerCase().indexOf(target.toLowerCase());
  if (at < 0) return null;
  return [hay.map[at], hay.map[at + target.length - 1] + 1];
}

// --- server-sent events over fetch ---------------------------------------------------------------------

function parseEventBlock(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length || event !== "message" ? { event, data: data.join("\n") } : null;
}

async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let carry = "";
  for (;;) {
    const { value, done } = await reader.read();
    let text = carry + decoder.decode(value || new Uint8Array(), { stream: !done });
    carry = "";
    if (!done && text.endsWith("\r")) {
      carry = "\r";
      text = text.slice(0, -1);
    }
    buffer += text.replace(/\r\n?/g, "\n");
    let at;
    while ((at = buffer.indexOf("\n\n")) >= 0) {
      const event = parseEventBlock(buffer.slice(0, at));
      buffer = buffer.slice(at + 2);
      if (event) yield event;
    }
    if (done) {
      const event = buffer.trim() ? parseEventBlock(buffer) : null;
      if (event) yield event;
      return;
    }
  }
}

function parseJSON(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function errorDetail(response) {
  const body = parseJSON(await response.text().catch(() => ""));
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return "Câu hỏi không hợp lệ.";
  return "";
}

// --- filters -------------------------------------------------------------------------------------------

const filterEls = {
  province: $("#f-province"),
  doc_type: $("#f-doctype"),
  year_from: $("#f-year-from"),
  year_to: $("#f-year-to"),
};

function currentFilters() {
  const year = (el) => (el.value ? Number(el.value) : null);
  return {
    province: filterEls.province.value || null,
    doc_type: filterEls.doc_type.value || null,
    year_from: year(filterEls.year_from),
    year_to: year(filterEls.year_to),
  };
}

function describeFilters(filters) {
  const parts = [];
  if (filters.province) parts.push(`tỉnh ${filters.province}`);
  if (filters.doc_type) parts.push(filters.doc_type);
  if (filters.year_from && filters.year_to) parts.push(`năm ${filters.year_from}–${filters.year_to}`);
  else if (filters.year_from) parts.push(`từ năm ${filters.year_from}`);
  else if (filters.year_to) parts.push(`đến năm ${filters.year_to}`);
  return parts.join(", ");
}

function updateFilterSummary() {
  const text = describeFilters(currentFilters());
  $("#filter-summary").textContent = text ? `: ${text}` : "";
  $("#f-reset").hidden = !text;
}

function addOptions(select, options) {
  for (const { value, label } of options) select.append(h("option", { value }, label));
}

async function loadFacets() {
  let facets;
  try {
    const response = await fetch("/api/facets");
    if (!response.ok) throw new Error(String(response.status));
    facets = await response.json();
  } catch {
    $("#filters").append(h("p", { class: "facets-error" }, "Không tải được danh sách lọc."));
    return;
  }
  // The API names fields {province, province_current, documents}; older drafts used {name, current, count}.
  const pick = (item, ...keys) => {
    if (typeof item !== "object" || item === null) return item;
    for (const key of keys) if (item[key] !== undefined && item[key] !== null) return item[key];
    return null;
  };
  const count = (item) => {
    const n = pick(item, "documents", "count");
    return typeof n === "number" ? ` (${n} văn bản)` : "";
  };
  const current = (facets.provinces_current || []).filter((p) => pick(p, "province_current", "name"));
  const old = (facets.provinces || []).filter((p) => pick(p, "province", "name"));
  const group = (label, options) => {
    if (!options.length) return;
    const el = h("optgroup", { label });
    addOptions(el, options);
    filterEls.province.append(el);
  };
  group(
    "Tỉnh hiện nay (sau sáp nhập 2025)",
    current.map((p) => {
      const name = pick(p, "province_current", "name");
      const covers = (p.provinces || []).filter((x) => x !== name);
      return { value: name, label: covers.length ? `${name} (gồm ${covers.join(", ")})` : name };
    }),
  );
  group(
    current.length ? "Tỉnh trong văn bản (trước 2025)" : "Tỉnh",
    old.map((p) => {
      const name = pick(p, "province", "name");
      return { value: name, label: `${provinceLabel(name, pick(p, "province_current", "current"))}${count(p)}` };
    }),
  );
  addOptions(
    filterEls.doc_type,
    (facets.doc_types || []).map((t) => {
      const name = pick(t, "doc_type", "name");
      return { value: name, label: `${name}${count(t)}` };
    }),
  );
  const years = (facets.years || [])
    .map((y) => pick(y, "year"))
    .filter(Boolean)
    .sort((a, b) => a - b);
  for (const select of [filterEls.year_from, filterEls.year_to]) {
    addOptions(select, years.map((y) => ({ value: String(y), label: String(y) })));
  }
}

for (const el of Object.values(filterEls)) el.addEventListener("change", updateFilterSummary);
$("#filters-toggle").addEventListener("click", (event) => {
  const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
  event.currentTarget.setAttribute("aria-expanded", String(open));
  $("#filters").classList.toggle("open", open);
});
$("#f-reset").addEventListener("click", () => {
  for (const el of Object.values(filterEls)) el.value = "";
  updateFilterSummary();
  filterEls.province.focus();
});

// --- conversation --------------------------------------------------------------------------------------

const messagesEl = $("#messages");
const conversationEl = $("#conversation");
const questionEl = $("#question");
const sendEl = $("#send");
let busy = false;

function nearBottom() {
  return conversationEl.scrollHeight - conversationEl.scrollTop - conversationEl.clientHeight < 80;
}

function keepScrolled(wasNearBottom) {
  if (wasNearBottom) conversationEl.scrollTop = conversationEl.scrollHeight;
}

function exportUrl(question, filters) {
  const params = new URLSearchParams({ q: question, format: "csv" });
  for (const [key, value] of Object.entries(filters)) {
    if (value !== null && value !== "") params.set(key, String(value));
  }
  return `/api/search/export?${params}`;
}

function citationSourceLine(c) {
  const parts = [c.document_title || c.source_name];
  if (c.document_number) parts.push(`số ${c.document_number}`);
  if (c.date) parts.push(`ngày ${formatDate(c.date)}`);
  const province = provinceLabel(c.province, c.province_current);
  if (province) parts.push(`tỉnh ${province}`);
  if (c.path) parts.push(`mục ${c.path}`);
  return parts.join(" — ");
}

async function copyText(text) {
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

/** One question and its (streamed) answer. */
class Turn {
  constructor(question, filters) {
    this.question = question;
    this.filters = filters;
    this.citations = new Map();
    this.meta = null;
    this.text = "";
    this.supported = null;
    this.state = "loading";
    this.error = null;
    this.started = performance.now();
    this.elapsed = null;

    const filterText = describeFilters(filters);
    this.userEl = h(
      "li",
      { class: "msg user" },
      h("p", { class: "msg-label visually-hidden" }, "Câu hỏi:"),
      h("p", { class: "question-text" }, question),
      filterText ? h("p", { class: "question-filters" }, `Lọc: ${filterText}`) : null,
    );
    this.el = h("li", { class: "msg assistant", "aria-busy": "true" });
    messagesEl.append(this.userEl, this.el);
    this.render();
  }

  mainCitations() {
    return [...this.citations.values()].filter((c) => !c.related);
  }

  relatedCitations() {
    return [...this.citations.values()].filter((c) => c.related);
  }

  render() {
    const stick = nearBottom();
    const el = this.el;
    const unsupported = this.supported === false;
    el.dataset.state = this.state === "done" && unsupported ? "unsupported" : this.state;
    el.setAttribute("aria-busy", this.state === "loading" || this.state === "streaming" ? "true" : "false");
    el.replaceChildren();

    if (this.state === "loading" || (this.state === "streaming" && !this.text)) {
      const label = this.meta ? "Đang soạn câu trả lời" : "Đang tìm trong các văn bản";
      el.append(h("p", { class: "status loading" }, h("span", { class: "spinner" }), `${label}…`));
    }

    if (unsupported && this.state !== "error" && (this.text || this.state === "done")) {
      el.append(
        h(
          "div",
          { class: "not-found" },
          h("p", { class: "not-found-title" }, "Không tìm thấy nội dung phù hợp"),
          this.text ? this.answerText() : null,
        ),
      );
    } else if (this.text) {
      el.append(this.answerText());
    }

    const provinces = (this.meta && this.meta.provinces) || [];
    const aggregate = this.meta && (this.meta.intent === "aggregate" || provinces.length > 1);
    if (!unsupported && aggregate && provinces.length && this.mainCitations().length) {
      el.append(this.provinceSummary());
    }

    const main = this.mainCitations();
    if (main.length) {
      el.append(
        h("h3", { class: "sources-title" }, `Nguồn (${main.length})`),
        h("ol", { class: "citations" }, main.map((c) => this.citationCard(c))),
      );
    }
    const related = this.relatedCitations();
    if (related.length) {
      el.append(
        h(
          "section",
          { class: "related-citations", "aria-label": "Có thể liên quan" },
          h("h3", { class: "sources-title" }, "Có thể liên quan"),
          h("p", { class: "related-note" }, "Các đoạn dưới đây gần với câu hỏi nhưng không trả lời trực tiếp."),
          h("ol", { class: "citations" }, related.map((c) => this.citationCard(c))),
        ),
      );
    }

    if (this.state === "error") {
      el.append(
        h(
          "div",
          { class: "error-box", role: "alert" },
          h("p", {}, this.error),
          h("button", { type: "button", class: "secondary", onclick: () => ask(this.question, this.filters) }, "Thử lại"),
        ),
      );
    }

    if (this.state === "done") el.append(this.actions());
    keepScrolled(stick);
  }

  answerText() {
    const box = h("div", { class: "answer-text" });
    const marker = /\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]/g;
    let last = 0;
    for (const match of this.text.matchAll(marker)) {
      const numbers = match[1].split(/[,;]/).map((s) => Number(s.trim()));
      if (!numbers.every((n) => this.citations.has(n))) continue;
      box.append(this.text.slice(last, match.index));
      for (const n of numbers) box.append(this.citationRef(n));
      last = match.index + match[0].length;
    }
    box.append(this.text.slice(last));
    return box;
  }

  citationRef(n) {
    const c = this.citations.get(n);
    const where = [provinceLabel(c.province, c.province_current), c.path].filter(Boolean).join(", ");
    return h(
      "button",
      {
        type: "button",
        class: "cite-ref",
        dataset: { n: String(n) },
        "aria-label": `Mở nguồn ${n}${where ? `: ${where}` : ""}`,
        onclick: (event) => openCitation(c, event.currentTarget),
      },
      `[${n}]`,
    );
  }

  citationCard(c) {
    const meta = [
      provinceLabel(c.province, c.province_current),
      c.document_number ? `Số ${c.document_number}` : null,
      c.date ? formatDate(c.date) : null,
    ].filter(Boolean);
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: `citation-card${c.related ? " related" : ""}`,
          dataset: { n: String(c.n) },
          onclick: (event) => openCitation(c, event.currentTarget),
        },
        h("span", { class: "card-n", "aria-hidden": "true" }, String(c.n)),
        h("span", { class: "visually-hidden" }, c.related ? `Đoạn có thể liên quan ${c.n}: ` : `Nguồn ${c.n}: `),
        h(
          "span",
          { class: "card-body" },
          h("span", { class: "card-title" }, c.document_title || c.source_name || "Văn bản"),
          meta.length ? h("span", { class: "card-meta" }, meta.join(" · ")) : null,
          c.path || (c.trail || []).length
            ? h("span", { class: "card-path" }, [c.path ? `Mục ${c.path}` : null, ...(c.trail || []).slice(-1)]
                .filter(Boolean).join(" — "))
            : null,
          h("span", { class: "card-quote" }, `“${truncate(cleanSpan(c.quote), 260)}”`),
        ),
      ),
    );
  }

  provinceSummary() {
    return h(
      "p",
      { class: "province-summary" },
      h("span", { class: "province-summary-label" }, "Tỉnh: "),
      this.meta.provinces.map((p) =>
        h(
          "span",
          { class: "province-chip" },
          provinceLabel(p.name, p.current),
          " ",
          (p.citations || []).filter((n) => this.citations.has(n)).map((n) => this.citationRef(n)),
        ),
      ),
    );
  }

  actions() {
    const status = h("span", { class: "copy-status", role: "status" });
    const bar = h("div", { class: "answer-actions" });
    if (this.text) {
      bar.append(
        h(
          "button",
          {
            type: "button",
            class: "secondary copy-answer",
            onclick: async () => {
              const ok = await copyText(this.plainText());
              status.textContent = ok ? "Đã sao chép." : "Không sao chép được; hãy chọn và sao chép thủ công.";
            },
          },
          "Sao chép câu trả lời kèm nguồn",
        ),
      );
    }
    bar.append(
      h(
        "a",
        { class: "secondary export-csv", href: exportUrl(this.question, this.filters), download: true },
        "Xuất nguồn (CSV)",
      ),
    );
    if (this.elapsed !== null) {
      bar.append(h("span", { class: "elapsed" }, `${(this.elapsed / 1000).toFixed(1).replace(".", ",")} giây`));
    }
    bar.append(status);
    return bar;
  }

  plainText() {
    const lines = [`Câu hỏi: ${this.question}`, "", this.text.trim()];
    const main = this.mainCitations();
    const related = this.relatedCitations();
    const sourceLines = (list) => list.map((c) => `[${c.n}] ${citationSourceLine(c)}\n    “${cleanSpan(c.quote)}”`);
    if (main.length) lines.push("", "Nguồn:", ...sourceLines(main));
    if (related.length) lines.push("", "Có thể liên quan:", ...sourceLines(related));
    return lines.join("\n");
  }

  fail(message) {
    this.state = "error";
    this.error = message;
    this.render();
  }

  /** One short sentence for screen readers when the answer is complete (the page re-renders while streaming). */
  announce() {
    const count = this.mainCitations().length;
    $("#announcer").textContent =
      this.supported === false
        ? "Không tìm thấy nội dung phù hợp."
        : `Đã có câu trả lời với ${count} nguồn.`;
  }
}

async function ask(question, filters = currentFilters()) {
  question = question.trim();
  if (!question || busy) return;
  busy = true;
  sendEl.disabled = true;
  const turn = new Turn(question, filters);
  $("#announcer").textContent = "Đang tìm câu trả lời…";
  conversationEl.scrollTop = conversationEl.scrollHeight;
  try {
    let response;
    try {
      response = await fetch("/api/ask/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ question, filters }),
      });
    } catch {
      turn.fail("Không kết nối được tới máy chủ. Vui lòng kiểm tra mạng rồi thử lại.");
      return;
    }
    if (!response.ok) {
      const detail = await errorDetail(response);
      turn.fail(
        response.status < 500
          ? `Không thể hỏi: ${detail || `yêu cầu không hợp lệ (mã ${response.status})`}`
          : `Máy chủ đang gặp lỗi (mã ${response.status}). Vui lòng thử lại sau ít phút.`,
      );
      return;
    }
    let finished = false;
    try {
      for await (const { event, data } of readEvents(response)) {
        const payload = parseJSON(data) || {};
        if (event === "meta") {
          turn.meta = payload;
          if (typeof payload.supported === "boolean") turn.supported = payload.supported;
          turn.state = "streaming";
        } else if (event === "citation") {
          if (Number.isInteger(payload.n)) turn.citations.set(payload.n, payload);
        } else if (event === "delta") {
          turn.state = "streaming";
          turn.text += payload.text || "";
        } else if (event === "done") {
          if (typeof payload.answer === "string") turn.text = payload.answer;
          if (typeof payload.supported === "boolean") turn.supported = payload.supported;
          turn.state = "done";
          turn.elapsed = performance.now() - turn.started;
          finished = true;
          turn.announce();
        } else if (event === "error") {
          let detail = typeof payload.detail === "string" ? payload.detail.trim() : "";
          if (detail && !/[.!?…]$/.test(detail)) detail += ".";
          turn.fail(`Đã xảy ra lỗi khi tạo câu trả lời${detail ? `: ${detail}` : "."} Vui lòng thử lại.`);
          return;
        }
        turn.render();
        if (finished) break;
      }
    } catch {
      turn.fail("Kết nối bị gián đoạn khi đang nhận câu trả lời. Vui lòng thử lại.");
      return;
    }
    if (!finished) turn.fail("Câu trả lời bị ngắt giữa chừng. Vui lòng thử lại.");
  } finally {
    busy = false;
    sendEl.disabled = false;
  }
}

$("#composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const question = questionEl.value;
  if (!question.trim() || busy) return;
  questionEl.value = "";
  ask(question);
  questionEl.focus();
});

questionEl.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("#composer").requestSubmit();
  }
});

for (const button of document.querySelectorAll(".example")) {
  button.addEventListener("click", () => ask(button.textContent));
}

// --- document panel ------------------------------------------------------------------------------------

const panelEl = $("#panel");
const panelBody = $("#panel-body");
const panelInfo = $("#panel-info");
const panelTitle = $("#panel-title");
const chatColumn = document.querySelector(".chat-column");
const phone = window.matchMedia("(max-width: 760px)");
const documents = new Map();
let panelTrigger = null;
let panelToken = 0;

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

/** Is clause `clause` the cited one or covered by the quote's [start, end) in the original text? */
function citedClauses(clauses, c) {
  const byId = clauses.filter((cl) => cl.id === c.clause_id);
  const overlapping = clauses.filter(
    (cl) => Number.isInteger(cl.start) && cl.start < c.end && cl.end > c.start && cl.kind !== "heading",
  );
  const set = new Set([...byId, ...overlapping]);
  return clauses.filter((cl) => set.has(cl));
}

/** Clause text as nodes, with the part of the quote that falls inside this clause in a <mark>. */
function clauseContent(clause, c) {
  const text = clause.text || "";
  let span = null;
  const covers = Number.isInteger(clause.start) && c.start <= clause.start && c.end >= clause.end;
  if (!covers && typeof c.quote === "string") {
    let piece = c.quote;
    if (Number.isInteger(clause.start) && Number.isInteger(c.start)) {
      piece = c.quote.slice(Math.max(0, clause.start - c.start), Math.max(0, clause.end - c.start));
    }
    span = findSpan(text, cleanSpan(piece)) || findSpan(text, cleanSpan(c.quote));
  }
  if (!span) return [h("mark", { class: "quote whole" }, text)];
  return [text.slice(0, span[0]), h("mark", { class: "quote" }, text.slice(span[0], span[1])), text.slice(span[1])];
}

function metaItem(label, value) {
  return value ? h("div", {}, h("dt", {}, label), h("dd", {}, value)) : null;
}

function renderDocument(data, c) {
  const doc = data.document || data; // GET /api/documents/{id} returns the summary fields at the top level
  const clauses = data.clauses || [];
  panelTitle.textContent = doc.title || c.document_title || doc.source_name || c.source_name || "Văn bản";
  const cited = citedClauses(clauses, c);
  const citedIds = new Set(cited.map((cl) => cl.id));
  const first = cited.find((cl) => cl.id === c.clause_id) || cited[0];
  const trail = c.trail && c.trail.length ? c.trail : (first && first.trail) || [];

  const info = h(
    "dl",
    { class: "doc-meta" },
    metaItem("Số hiệu:", doc.number || c.document_number),
    metaItem("Tỉnh:", provinceLabel(doc.province || c.province, doc.province_current || c.province_current)),
    metaItem("Ngày:", formatDate(doc.date || c.date)),
    metaItem("Loại:", doc.doc_type),
    metaItem("Ban hành:", doc.issuer),
    metaItem("Tệp:", doc.source_name || c.source_name),
  );

  const location = h(
    "div",
    { class: "cited-location" },
    h(
      "p",
      { class: "cited-label" },
      c.related ? "Đoạn có thể liên quan" : c.n ? `Trích dẫn [${c.n}]` : "Điều khoản được liên kết",
      c.path ? ` · mục ${c.path}` : "",
    ),
    trail.length
      ? h("ol", { class: "trail", "aria-label": "Vị trí trong văn bản" }, trail.map((t) => h("li", {}, t)))
      : null,
    h(
      "span",
      { class: "location-actions" },
      h("button", { type: "button", class: "link-button goto-cited", onclick: () => scrollToCited() }, "Tới đoạn trích"),
      h(
        "button",
        {
          type: "button",
          class: "link-button copy-link",
          onclick: async (event) => {
            const ok = await copyText(location.href);
            event.currentTarget.textContent = ok ? "Đã sao chép liên kết" : "Không sao chép được";
          },
        },
        "Sao chép liên kết",
      ),
    ),
  );

  const body = h("div", { class: "doc-text", "aria-label": "Toàn văn" });
  for (const clause of clauses) {
    const isCited = citedIds.has(clause.id);
    const el = h(
      clause.kind === "heading" ? "h3" : "p",
      {
        class: `clause kind-${clause.kind || "paragraph"}${isCited ? " cited" : ""}`,
        dataset: { clauseId: clause.id, path: clause.path || "" },
      },
      isCited ? clauseContent(clause, c) : clause.text,
    );
    body.append(el);
  }
  if (!cited.length) {
    body.prepend(
      h("p", { class: "error-box" }, "Không xác định được đoạn trích dẫn trong văn bản; trích đoạn:"),
      h("blockquote", { class: "clause cited" }, h("mark", { class: "quote whole" }, cleanSpan(c.quote))),
    );
  }
  panelInfo.replaceChildren(info, location);
  panelBody.replaceChildren(body);
  scrollToCited();
}

function scrollToCited() {
  // Only the panel scrolls: scrollIntoView would also shift the page itself and hide its header.
  const target = panelBody.querySelector(".clause.cited");
  if (!target) return;
  const offset = target.getBoundingClientRect().top - panelBody.getBoundingClientRect().top;
  panelBody.scrollTop += offset - Math.max(0, (panelBody.clientHeight - target.offsetHeight) / 2);
}

async function openCitation(c, trigger) {
  const token = ++panelToken;
  panelTrigger = trigger;
  showPanel();
  if (c.clause_id) history.replaceState(null, "", `#clause=${encodeURIComponent(c.clause_id)}`);
  panelTitle.textContent = c.document_title || c.source_name || "Văn bản";
  panelInfo.replaceChildren();
  panelBody.replaceChildren(
    h("p", { class: "status loading", role: "status" }, h("span", { class: "spinner" }), "Đang mở văn bản…"),
  );
  panelTitle.focus({ preventScroll: true });
  let data;
  try {
    data = await fetchDocument(c.document_id);
  } catch (error) {
    if (token !== panelToken) return;
    panelBody.replaceChildren(
      h("div", { class: "error-box", role: "alert" }, h("p", {}, `Không mở được văn bản (${error.message}).`)),
      h("blockquote", { class: "clause cited" }, h("mark", { class: "quote whole" }, cleanSpan(c.quote))),
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
  const clause = context.clause || {};
  const doc = context.document || {};
  const offsets = context.offsets || {};
  openCitation(
    {
      n: null,
      clause_id: clause.id || id,
      document_id: doc.id || clause.document_id,
      document_title: doc.title,
      document_number: doc.number,
      source_name: doc.source_name,
      province: doc.province,
      province_current: doc.province_current,
      date: doc.date,
      path: clause.path,
      trail: context.trail || clause.trail || [],
      quote: offsets.source_text ?? clause.text ?? "",
      start: offsets.start ?? clause.start,
      end: offsets.end ?? clause.end,
      related: false,
    },
    null,
  );
}

window.addEventListener("hashchange", openLinkedClause);

// --- start ---------------------------------------------------------------------------------------------

loadFacets();
updateFilterSummary();
if (!phone.matches) questionEl.focus();
openLinkedClause();
