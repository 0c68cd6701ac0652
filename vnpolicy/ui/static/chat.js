// The conversation: a question, its answer streamed in (citations first, then the text), the sources as cards.
// After each question the view holds the question and the start of its answer at the top of the pane.

import { $, copyText, formatDate, h, marked, nextFrame, truncate } from "./dom.js";
import { describeFilters } from "./filters.js";
import { openCitation } from "./panel.js";
import { errorDetail, parseJSON, readEvents } from "./stream.js";
import { words } from "./words.js";

const messagesEl = $("#messages");
const conversationEl = $("#conversation");
const questionEl = $("#question");
const sendEl = $("#send");
const announcerEl = $("#announcer");
const roomEl = $("#scroll-room");
const CARD_QUOTE_CHARS = 260;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
let busy = false;
let ready = false;

const padding = () => parseFloat(getComputedStyle(conversationEl).paddingTop) || 0;

function exportUrl(question, filters) {
  const params = new URLSearchParams({ q: question, format: "csv" });
  for (const [key, value] of Object.entries(filters)) {
    if (value !== null && value !== "") params.set(key, String(value));
  }
  return `/api/search/export?${params}`;
}

/** The displayed quote cut to `max` characters at a word, with the server's figure spans that survive the cut. */
function quoteNodes(c, max = Infinity) {
  const text = c.quote_display || "";
  let shown = text;
  if (text.length > max) {
    const cut = text.lastIndexOf(" ", max);
    shown = `${text.slice(0, cut > max * 0.6 ? cut : max)}…`;
  }
  return marked(shown, (c.figures || []).filter(([, end]) => end <= shown.length), "figure");
}

/** One question and its (streamed) answer. */
class Turn {
  constructor(question, filters) {
    this.question = question;
    this.filters = filters;
    this.meta = null;
    this.citations = new Map();
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
    conversationEl.scrollTop += this.userEl.getBoundingClientRect().top - conversationEl.getBoundingClientRect().top - padding();
  }

  /** Under a question typed without diacritics, how it was read (what was searched). */
  showReading(reading) {
    if (typeof reading !== "string" || !reading || reading.toLowerCase() === this.question.toLowerCase()) return;
    this.userEl.append(h("p", { class: "question-reading" }, `Đọc là: ${reading}`));
  }

  get words() {
    return words(this.meta && this.meta.language);
  }

  /** Room below a short answer, so that the question can stay at the top of the pane (it is scrolled there
   * when asked and stays while the answer streams in below it). */
  keepRoom() {
    const used = this.el.getBoundingClientRect().bottom - this.userEl.getBoundingClientRect().top;
    roomEl.style.height = `${Math.max(0, conversationEl.clientHeight - 2 * padding() - used)}px`;
  }

  mainCitations() {
    return [...this.citations.values()].filter((c) => !c.related);
  }

  relatedCitations() {
    return [...this.citations.values()].filter((c) => c.related);
  }

  render() {
    const w = this.words;
    const el = this.el;
    const unsupported = this.supported === false;
    el.dataset.state = this.state === "done" && unsupported ? "unsupported" : this.state;
    el.lang = (this.meta && this.meta.language) || "vi";
    el.setAttribute("aria-busy", this.state === "loading" || this.state === "streaming" ? "true" : "false");
    el.replaceChildren();

    if (this.state === "loading" || (this.state === "streaming" && !this.text)) {
      const label = this.meta ? (this.meta.language === "en" ? "Writing the answer" : "Đang soạn câu trả lời")
        : "Đang tìm trong các văn bản";
      el.append(h("p", { class: "status loading" }, h("span", { class: "spinner" }), `${label}…`));
    }

    if (unsupported && this.state !== "error" && (this.text || this.state === "done")) {
      el.append(
        h(
          "div",
          { class: "not-found" },
          h("p", { class: "not-found-title" }, w.notFound),
          this.text ? this.answerText() : null,
        ),
      );
    } else if (this.text) {
      el.append(this.answerText());
    }

    const main = this.mainCitations();
    if (main.length && this.state !== "error") {
      el.append(
        h("h3", { class: "sources-title" }, `${w.sources} (${main.length})`),
        h("ol", { class: "citations" }, main.map((c) => this.citationCard(c))),
      );
    }
    const related = this.relatedCitations();
    if (related.length && this.state !== "error") {
      el.append(
        h(
          "section",
          { class: "related-citations", "aria-label": w.related },
          h("h3", { class: "sources-title" }, w.related),
          h("p", { class: "related-note" }, w.relatedNote),
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
    if (this.state === "streaming" && this.text) el.append(h("span", { class: "caret", "aria-hidden": "true" }));
    if (this.state === "done") el.append(this.actions());
    this.keepRoom();
  }

  /** The answer text: each citation's quote (found as the server wrote it) with its figures marked, and
   * each [n] as a button that opens the clause. */
  answerText() {
    const box = h("div", { class: "answer-text" });
    const pieces = [];
    for (const c of this.citations.values()) {
      const quote = c.quote_display ? `“${c.quote_display}”` : "";
      const at = quote ? this.text.indexOf(quote) : -1;
      if (at >= 0) pieces.push({ start: at, end: at + quote.length, nodes: () => h("span", { class: "quote" }, "“", quoteNodes(c), "”") });
    }
    for (const match of this.text.matchAll(/\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]/g)) {
      const numbers = match[1].split(/[,;]/).map((s) => Number(s.trim()));
      if (!numbers.every((n) => this.citations.has(n))) continue;
      pieces.push({ start: match.index, end: match.index + match[0].length, nodes: () => numbers.map((n) => this.citationRef(n)) });
    }
    let last = 0;
    for (const piece of pieces.sort((a, b) => a.start - b.start)) {
      if (piece.start < last) continue;
      box.append(this.text.slice(last, piece.start), ...[piece.nodes()].flat());
      last = piece.end;
    }
    box.append(this.text.slice(last));
    return box;
  }

  citationRef(n) {
    const c = this.citations.get(n);
    const where = [c.province_label, c.path].filter(Boolean).join(", ");
    return h(
      "button",
      {
        type: "button",
        class: "cite-ref",
        dataset: { n: String(n) },
        "aria-label": this.words.open(n, where),
        onclick: (event) => openCitation({ ...c, language: this.meta && this.meta.language }, event.currentTarget),
      },
      `[${n}]`,
    );
  }

  /** A source: number and date first (two documents with one long title still differ), the short title
   * (the full one on hover), where in the document, and the quote once. */
  citationCard(c) {
    const w = this.words;
    const language = this.meta && this.meta.language;
    const head = [
      c.document_number ? `${w.number} ${c.document_number}` : null,
      c.date ? formatDate(c.date) : null,
      c.province_label,
    ].filter(Boolean);
    const title = c.document_title || c.source_name || w.document;
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: `citation-card${c.related ? " related" : ""}`,
          dataset: { n: String(c.n) },
          title: c.source_line || title,
          onclick: (event) => openCitation({ ...c, language }, event.currentTarget),
        },
        h("span", { class: "card-n", "aria-hidden": "true" }, String(c.n)),
        h("span", { class: "visually-hidden" }, c.related ? w.relatedSource(c.n) : w.source(c.n)),
        h(
          "span",
          { class: "card-body" },
          head.length ? h("span", { class: "card-meta" }, head.join(" · ")) : null,
          h("span", { class: "card-title", title }, title),
          c.path || c.page
            ? h(
              "span",
              { class: "card-path" },
              [c.path ? `${w.section} ${c.path}` : null, c.page ? `${w.page} ${c.page}` : null].filter(Boolean).join(" · "),
              c.trail && c.trail.length ? h("span", { class: "card-trail" }, ` — ${c.trail.at(-1)}`) : null,
            )
            : null,
          h("span", { class: "card-quote" }, "“", quoteNodes(c, CARD_QUOTE_CHARS), "”"),
          // The quote stays the printed (OCR) text; the reading the indexes used is shown beside it.
          c.restored_text
            ? h("span", { class: "card-restored" }, `${w.restored} ${truncate(c.restored_text, CARD_QUOTE_CHARS)}`)
            : null,
        ),
      ),
    );
  }

  actions() {
    const w = this.words;
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
              status.textContent = (await copyText(this.plainText())) ? w.copied : w.notCopied;
            },
          },
          w.copy,
        ),
      );
    }
    bar.append(h("a", { class: "secondary export-csv", href: exportUrl(this.question, this.filters), download: true }, w.export));
    if (this.elapsed !== null) {
      const seconds = this.elapsed / 1000;
      bar.append(h("span", { class: "elapsed" }, seconds < 0.1 ? w.underOneTenth : w.seconds(seconds)));
    }
    bar.append(status);
    return bar;
  }

  plainText() {
    const w = this.words;
    const lines = [`${w.question}: ${this.question}`, "", this.text.trim()];
    const sourceLines = (list) => list.map((c) => `[${c.n}] ${c.source_line}\n    “${c.quote_display}”`);
    if (this.mainCitations().length) lines.push("", `${w.sources}:`, ...sourceLines(this.mainCitations()));
    if (this.relatedCitations().length) lines.push("", `${w.related}:`, ...sourceLines(this.relatedCitations()));
    return lines.join("\n");
  }

  fail(message) {
    this.state = "error";
    this.error = message;
    this.render();
  }

  /** One short sentence for screen readers when the answer is complete (the page re-renders while streaming). */
  announce() {
    announcerEl.textContent = this.supported === false ? this.words.nothing : this.words.answered(this.mainCitations().length);
  }
}

/** Render the stream's events as they arrive, each text delta painted in a frame of its own. */
async function receive(turn, response) {
  for await (const { event, data } of readEvents(response)) {
    const payload = parseJSON(data) || {};
    if (event === "meta") {
      turn.meta = payload;
      turn.showReading(payload.read_as);
      if (typeof payload.supported === "boolean") turn.supported = payload.supported;
      turn.state = "streaming";
    } else if (event === "citation") {
      if (Number.isInteger(payload.n)) turn.citations.set(payload.n, payload);
      continue; // shown with the text that cites it
    } else if (event === "delta") {
      turn.state = "streaming";
      turn.text += payload.text || "";
    } else if (event === "done") {
      if (typeof payload.answer === "string") turn.text = payload.answer;
      if (typeof payload.supported === "boolean") turn.supported = payload.supported;
      turn.state = "done";
      turn.elapsed = performance.now() - turn.started;
      turn.render();
      turn.announce();
      return true;
    } else if (event === "error") {
      let detail = typeof payload.detail === "string" ? payload.detail.trim() : "";
      if (detail && !/[.!?…]$/.test(detail)) detail += ".";
      turn.fail(`Đã xảy ra lỗi khi tạo câu trả lời${detail ? `: ${detail}` : "."} Vui lòng thử lại.`);
      return true;
    }
    turn.render();
    if (event === "delta" && !reducedMotion.matches) await nextFrame();
  }
  return false;
}

export async function ask(question, filters) {
  question = question.trim();
  if (!question || busy || !ready) return;
  busy = true;
  sendEl.disabled = true;
  const turn = new Turn(question, filters);
  announcerEl.textContent = words("vi").thinking;
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
        response.status === 503
          ? "Máy chủ vẫn đang tải chỉ mục tìm kiếm. Vui lòng thử lại sau vài giây."
          : response.status < 500
            ? `Không thể hỏi: ${detail || `yêu cầu không hợp lệ (mã ${response.status})`}`
            : `Máy chủ đang gặp lỗi (mã ${response.status}). Vui lòng thử lại sau ít phút.`,
      );
      return;
    }
    let finished;
    try {
      finished = await receive(turn, response);
    } catch {
      turn.fail("Kết nối bị gián đoạn khi đang nhận câu trả lời. Vui lòng thử lại.");
      return;
    }
    if (!finished) turn.fail("Câu trả lời bị ngắt giữa chừng. Vui lòng thử lại.");
  } finally {
    busy = false;
    sendEl.disabled = !ready;
  }
}

/** The send button works once the server is ready (see server.js). */
export function setReady(value) {
  ready = value;
  sendEl.disabled = !value || busy;
  for (const button of document.querySelectorAll(".example")) button.disabled = !value;
}

export function setUpChat(currentFilters) {
  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = questionEl.value;
    if (!question.trim() || busy || !ready) return;
    questionEl.value = "";
    ask(question, currentFilters());
    questionEl.focus();
  });
  questionEl.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("#composer").requestSubmit();
    }
  });
  for (const button of document.querySelectorAll(".example")) {
    button.addEventListener("click", () => ask(button.textContent, currentFilters()));
  }
}
