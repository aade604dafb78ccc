// The Estimate page: upload a CSV, write a formula, fit, read the summary and predictions.
import { api, clearFieldErrors, el, errorField, num, plot, readFile, setStatus, showFieldError } from "./common.js";

let data = null;

async function fit() {
  clearFieldErrors();
  if (!data) { showFieldError("csv", "csv: choose a CSV file first"); return; }
  const model = document.getElementById("model").value;
  const body = {
    csv: data.text,
    formula: document.getElementById("formula").value,
    model,
    link: document.getElementById("link").value,
    error: document.getElementById("error").value,
    method: document.getElementById("method").value,
  };
  setStatus("fitting…");
  try {
    const result = await api("/api/estimate", body);
    render(result);
    setStatus(`fitted: log-likelihood ${num(result.llf, 6)}`);
  } catch (error) {
    const field = errorField(error);
    if (!(field && showFieldError(field, error.message))) showFieldError("general", error.message);
    setStatus("error — see the message beside the field");
  }
}

function render(result) {
  const p = result.predicted;
  const chart = el("div", { class: "chart", id: "chart-predicted", role: "img", "aria-label": "Mean predicted probabilities" });
  const head = el("tr", {}, ...p.columns.map((c) => el("th", { scope: "col", class: "num" }, c)));
  const rows = p.rows.slice(0, 20).map((r) => el("tr", {}, ...r.map((v) => el("td", { class: "num" }, num(v, 3)))));
  document.getElementById("fit-result").replaceChildren(
    el("h2", {}, "Summary"), el("pre", { class: "summary", id: "summary" }, result.summary),
    el("h2", {}, "Predicted probabilities"),
    el("p", { class: "muted" }, `Mean over all ${p.total} rows; the first ${Math.min(20, p.shown)} rows below.`),
    chart,
    el("table", { class: "table", id: "predicted" }, el("thead", {}, head), el("tbody", {}, rows)));
  plot(chart, [{ type: "bar", x: p.columns, y: p.columns.map((c) => p.mean[c]), marker: { color: "#2f6f9f" } }],
    { height: 260, yaxis: { title: "mean predicted probability", range: [0, 1] } });
}

document.getElementById("csv").addEventListener("change", async (event) => {
  showFieldError("csv", "");
  data = await readFile(event.target);
});
document.getElementById("fit").addEventListener("click", fit);

async function init() {
  const models = await api("/api/models");
  const select = document.getElementById("example");
  for (const [name, spec] of Object.entries(models)) {
    select.append(el("option", { value: name }, `${name} (${spec.model})`));
  }
  select.addEventListener("change", () => {
    const spec = models[select.value];
    if (!spec) return;
    document.getElementById("formula").value = spec.formula;
    document.getElementById("model").value = spec.model;
  });
  select.value = "war1800";
  document.body.dataset.ready = "1";
}

init().catch((error) => showFieldError("general", error.message));
