// The Assess page: pick or upload a scenario, edit any field, re-assess live.
import { api, clearFieldErrors, debounce, errorField, loadCases, readFile, setStatus, showFieldError } from "./common.js";
import { renderAssessment } from "./assessment.js";
import { SchemaForm } from "./schema_form.js";

const state = { case: "dprk-2017", upload: null, base: null, overrides: {} };
let schema = null;
let sequence = 0;

function setPath(data, path, value) {
  const parts = path.split(".");
  let node = data;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === null || typeof node[part] !== "object") node[part] = {};
    node = node[part];
  }
  node[parts[parts.length - 1]] = value;
}

// The request body for the API: the scenario source plus the edits as CLI-style --set items
// (VALUE as JSON, which is YAML), so an error reads exactly as `coercive assess --set` says it.
function spec() {
  const sets = Object.entries(state.overrides).map(([path, value]) => `${path}=${JSON.stringify(value)}`);
  if (state.upload) return { yaml: state.upload.text, filename: state.upload.name, sets };
  return { case: state.case, sets };
}

function writeUrl() {
  const params = new URLSearchParams();
  if (!state.upload) params.set("case", state.case);
  for (const [path, value] of Object.entries(state.overrides)) params.append("set", `${path}=${JSON.stringify(value)}`);
  history.replaceState(null, "", `${location.pathname}?${params}`);
  const link = document.getElementById("compare-link");
  const compare = new URLSearchParams({ a: state.case, b: state.case });
  for (const value of params.getAll("set")) compare.append("bset", value);
  link.href = `/compare?${compare}`;
  link.hidden = Boolean(state.upload);
}

function readUrl() {
  const params = new URLSearchParams(location.search);
  if (params.get("case")) state.case = params.get("case");
  for (const item of params.getAll("set")) {
    const at = item.indexOf("=");
    if (at < 1) continue;
    const path = item.slice(0, at);
    try { state.overrides[path] = JSON.parse(item.slice(at + 1)); } catch { state.overrides[path] = item.slice(at + 1); }
  }
}

function buildForm() {
  const data = structuredClone(state.base);
  for (const [path, value] of Object.entries(state.overrides)) setPath(data, path, value);
  const form = new SchemaForm(schema, (path, value) => {
    state.overrides[path] = value;
    writeUrl();
    reassess();
  });
  form.build(document.getElementById("form"), data);
  document.getElementById("title").textContent = data.title || data.id;
  document.getElementById("summary").textContent = data.summary || "";
}

function showError(error) {
  const field = errorField(error);
  if (!(field && showFieldError(field, error.message))) {
    const where = state.upload ? "upload" : "general";
    showFieldError(where, error.message);
  }
  setStatus("error — see the message beside the field");
}

async function assessNow() {
  const mine = ++sequence;
  setStatus("assessing…");
  const started = performance.now();
  try {
    const payload = await api("/api/assess", spec());
    if (mine !== sequence) return;
    clearFieldErrors();
    renderAssessment(document.getElementById("assessment"), payload);
    document.body.dataset.assessed = String(mine);
    setStatus(`assessed in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    if (mine !== sequence) return;
    clearFieldErrors();
    showError(error);
  }
}

const reassess = debounce(assessNow, 150);

async function loadCase(caseId) {
  state.case = caseId;
  state.upload = null;
  const doc = await api(`/api/cases/${encodeURIComponent(caseId)}`);
  state.base = doc.scenario;
}

async function init() {
  readUrl();
  schema = await api("/api/schema");
  const select = document.getElementById("case");
  const cases = await loadCases(select, state.case);
  if (!cases.some((c) => c.id === state.case)) {
    showFieldError("case", `${state.case}: no such bundled case`);
    state.case = cases[0].id;
    state.overrides = {};
  }
  select.value = state.case;
  await loadCase(state.case);
  buildForm();
  writeUrl();
  await assessNow();

  select.addEventListener("change", async () => {
    state.overrides = {};
    document.getElementById("upload").value = "";
    clearFieldErrors();
    await loadCase(select.value);
    buildForm();
    writeUrl();
    await assessNow();
  });
  document.getElementById("upload").addEventListener("change", async (event) => {
    const file = await readFile(event.target);
    if (!file) return;
    clearFieldErrors();
    try {
      const doc = await api("/api/scenario", { yaml: file.text, filename: file.name });
      state.upload = file;
      state.base = doc.scenario;
      state.overrides = {};
      buildForm();
      writeUrl();
      await assessNow();
    } catch (error) {
      showFieldError("upload", error.message);
      setStatus("the uploaded file has an error — see beside the upload field");
    }
  });
  document.getElementById("reset").addEventListener("click", () => {
    state.overrides = {};
    buildForm();
    writeUrl();
    assessNow();
  });
  document.getElementById("download").addEventListener("click", async () => {
    try {
      const doc = await api("/api/scenario", spec());
      const blob = new Blob([doc.yaml], { type: "text/yaml" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${doc.scenario.id || "scenario"}.yaml`;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (error) {
      showError(error);
    }
  });
}

init().catch((error) => { showFieldError("general", error.message); setStatus("could not load"); });
