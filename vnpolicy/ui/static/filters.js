// The filters above the conversation: filled from /api/facets, summarised on the toggle, sent with each question.

import { $, h } from "./dom.js";

const fields = {
  province: $("#f-province"),
  doc_type: $("#f-doctype"),
  year_from: $("#f-year-from"),
  year_to: $("#f-year-to"),
};
let undatedDocuments = 0;

export function currentFilters() {
  const year = (el) => (el.value ? Number(el.value) : null);
  return {
    province: fields.province.value || null,
    doc_type: fields.doc_type.value || null,
    year_from: year(fields.year_from),
    year_to: year(fields.year_to),
  };
}

export function describeFilters(filters) {
  const parts = [];
  if (filters.province) parts.push(`tỉnh ${filters.province}`);
  if (filters.doc_type) parts.push(filters.doc_type);
  if (filters.year_from && filters.year_to) parts.push(`năm ${filters.year_from}–${filters.year_to}`);
  else if (filters.year_from) parts.push(`từ năm ${filters.year_from}`);
  else if (filters.year_to) parts.push(`đến năm ${filters.year_to}`);
  return parts.join(", ");
}

function update() {
  const filters = currentFilters();
  const text = describeFilters(filters);
  $("#filter-summary").textContent = text ? `: ${text}` : "";
  $("#f-reset").hidden = !text;
  // A year filter keeps only dated documents: say how many it leaves out, not silently.
  const note = $("#year-note");
  note.hidden = !(undatedDocuments && (filters.year_from || filters.year_to));
  note.textContent = `${undatedDocuments} văn bản không ghi năm bị loại khi lọc theo năm.`;
}

function addOptions(select, options) {
  for (const { value, label } of options) select.append(h("option", { value }, label));
}

const documentsCount = (item) => (typeof item.documents === "number" ? ` (${item.documents} văn bản)` : "");

async function load() {
  let facets;
  try {
    const response = await fetch("/api/facets");
    if (!response.ok) throw new Error(String(response.status));
    facets = await response.json();
  } catch {
    return false;
  }
  const group = (label, options) => {
    if (!options.length) return;
    const el = h("optgroup", { label });
    addOptions(el, options);
    fields.province.append(el);
  };
  const current = (facets.provinces_current || []).filter((p) => p.province_current);
  group(
    "Tỉnh hiện nay (sau sáp nhập 2025)",
    current.map((p) => {
      const covers = (p.provinces || []).filter((x) => x !== p.province_current);
      const label = covers.length ? `${p.province_current} (gồm ${covers.join(", ")})` : p.province_current;
      return { value: p.province_current, label };
    }),
  );
  group(
    current.length ? "Tỉnh trong văn bản (trước 2025)" : "Tỉnh",
    (facets.provinces || [])
      .filter((p) => p.province)
      .map((p) => ({ value: p.province, label: `${p.province_label}${documentsCount(p)}` })),
  );
  addOptions(
    fields.doc_type,
    (facets.doc_types || []).map((t) => ({ value: t.doc_type, label: `${t.doc_type}${documentsCount(t)}` })),
  );
  const years = (facets.years || []).map((y) => y.year).filter(Boolean).sort((a, b) => a - b);
  for (const select of [fields.year_from, fields.year_to]) {
    addOptions(select, years.map((y) => ({ value: String(y), label: String(y) })));
  }
  undatedDocuments = facets.undated_documents || 0;
  update();
  return true;
}

/** Fill the filters from /api/facets once the server has loaded its index (`ready` resolves then). */
export async function loadFacets(ready) {
  await ready;
  if (!(await load())) $("#filters").append(h("p", { class: "facets-error" }, "Không tải được danh sách lọc."));
}

export function setUpFilters() {
  for (const el of Object.values(fields)) el.addEventListener("change", update);
  $("#filters-toggle").addEventListener("click", (event) => {
    const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
    event.currentTarget.setAttribute("aria-expanded", String(open));
    $("#filters").classList.toggle("open", open);
  });
  $("#f-reset").addEventListener("click", () => {
    for (const el of Object.values(fields)) el.value = "";
    update();
    fields.province.focus();
  });
  update();
}
