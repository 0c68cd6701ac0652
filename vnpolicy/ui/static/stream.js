// Server-sent events read over fetch (EventSource cannot POST), and the server's JSON error bodies.

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

/** The events of a text/event-stream response, as they arrive: {event, data}. */
export async function* readEvents(response) {
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

export function parseJSON(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The one-sentence `detail` of an error response, or "". */
export async function errorDetail(response) {
  const body = parseJSON(await response.text().catch(() => ""));
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return "Câu hỏi không hợp lệ.";
  return "";
}
