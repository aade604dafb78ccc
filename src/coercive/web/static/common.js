// Shared helpers of the workbench pages: the API client, formatting, errors beside fields.

export async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(messageOf(data) || `HTTP ${response.status}`);
    error.status = response.status;
    error.detail = Array.isArray(data.detail) ? data.detail : [];
    throw error;
  }
  return data;
}

function messageOf(data) {
  if (Array.isArray(data.detail)) {
    return data.detail.map((d) => {
      const where = (d.loc || []).filter((p) => p !== "body").join(".");
      return d.type === "value_error" || !where ? d.msg : `${where}: ${d.msg}`;
    }).join("; ");
  }
  return typeof data.detail === "string" ? data.detail : "";
}

// The field an API error is about: the scenario path our API reports, else the loc's last part.
export function errorField(error) {
  const first = (error.detail || [])[0];
  if (!first) return null;
  if (first.field) return first.field;
  const loc = (first.loc || []).filter((p) => p !== "body");
  return loc.length ? loc.join(".") : null;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function pct(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (value > 0 && value < 0.005) return "<1%";
  return `${(100 * value).toFixed(0)}%`;
}

export function num(value, digits = 3) {
  if (value === null || value === undefined) return "–";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(digits);
}

export function words(key) {
  return String(key).replaceAll("_", " ");
}

// Show (or clear) an error message beside a field: <div class="field-error" id="err-KEY">.
export function showFieldError(key, message) {
  const box = document.getElementById(`err-${key}`);
  if (!box) return false;
  box.textContent = message || "";
  box.hidden = !message;
  const control = document.querySelector(`[data-error-for="${CSS.escape(key)}"]`);
  if (control) control.setAttribute("aria-invalid", message ? "true" : "false");
  return true;
}

export function clearFieldErrors(root = document) {
  for (const box of root.querySelectorAll(".field-error")) {
    box.textContent = "";
    box.hidden = true;
  }
  for (const control of root.querySelectorAll("[aria-invalid=true]")) {
    control.setAttribute("aria-invalid", "false");
  }
}

export function errorBox(id) {
  return el("div", { class: "field-error", id: `err-${id}`, role: "alert", hidden: true });
}

export function setStatus(text) {
  const status = document.getElementById("status");
  if (status) status.textContent = text;
}

export const PLOT_CONFIG = { displaylogo: false, responsive: true };

export function plot(target, traces, layout = {}) {
  const base = {
    margin: { l: 60, r: 20, t: 30, b: 50 },
    font: { family: "system-ui, sans-serif", size: 13 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
  };
  return window.Plotly.react(target, traces, titled({ ...base, ...layout }), PLOT_CONFIG);
}

// plotly.js 3+ ignores a plain-string axis title ({title: "x"}); it wants {title: {text}}.
// Convert here, so every chart's axis titles show.
function titled(layout) {
  const out = { ...layout };
  for (const [key, value] of Object.entries(out)) {
    if (/^[xy]axis\d*$/.test(key) && value && typeof value.title === "string") {
      out[key] = { ...value, title: { text: value.title } };
    }
  }
  if (typeof out.title === "string") out.title = { text: out.title };
  return out;
}

export async function loadCases(select, chosen) {
  const cases = await api("/api/cases");
  select.replaceChildren(...cases.map((c) =>
    el("option", { value: c.id, selected: c.id === chosen }, `${c.id} — ${c.title}`)));
  return cases;
}

// Read a user-chosen file as text (the upload never touches the server's disk).
export function readFile(input) {
  return new Promise((resolve, reject) => {
    const file = input.files && input.files[0];
    if (!file) { resolve(null); return; }
    const reader = new FileReader();
    reader.onload = () => resolve({ name: file.name, text: String(reader.result) });
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}
