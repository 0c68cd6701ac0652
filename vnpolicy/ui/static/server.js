// Is the server ready? /health answers 503 while the model and the index load (seconds after a start,
// longer on a first run); meanwhile the page says what it is waiting for instead of failing questions.

import { $, h } from "./dom.js";

const POLL_MS = 1000;

function show(statusEl, ...children) {
  statusEl.hidden = false;
  statusEl.replaceChildren(...children);
}

/** Resolves with the /health body once it is 200; shows the waiting state in `statusEl` until then. */
export async function waitUntilReady(statusEl = $("#server-status")) {
  const started = performance.now();
  for (;;) {
    let response = null;
    let body = null;
    try {
      response = await fetch("/health", { cache: "no-store" });
      body = await response.json();
    } catch {
      body = null;
    }
    const waited = Math.round((performance.now() - started) / 1000);
    if (response && response.ok && body && body.status === "ok") {
      statusEl.hidden = true;
      statusEl.replaceChildren();
      return body;
    }
    if (body && body.status === "error") {
      show(statusEl, h("span", { class: "status-title" }, "Máy chủ không tải được chỉ mục tìm kiếm. "),
        "Hãy báo cho người quản trị (nhật ký máy chủ ghi rõ lý do).");
      statusEl.classList.add("failed");
      return new Promise(() => {}); // never ready: questions stay disabled
    }
    show(
      statusEl,
      h("span", { class: "spinner", "aria-hidden": "true" }),
      h(
        "span",
        {},
        h("span", { class: "status-title" }, response ? "Máy chủ đang khởi động: " : "Chưa kết nối được tới máy chủ: "),
        response
          ? "đang tải mô hình ngôn ngữ và chỉ mục tìm kiếm các văn bản"
          : "đang thử kết nối lại",
        waited ? ` (${waited} giây).` : ".",
        " Nút Gửi sẽ bật khi sẵn sàng.",
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** "Đang tra cứu 5 văn bản, 337 điều khoản": what questions are answered from. */
export function describeCorpus(health) {
  if (typeof health.documents !== "number") return "";
  const clauses = typeof health.indexed_clauses === "number" ? `, ${health.indexed_clauses} điều khoản` : "";
  return `Đang tra cứu ${health.documents} văn bản${clauses}.`;
}
