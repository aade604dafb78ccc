// The Compare page: two scenarios side by side, every figure with its difference B − A.
import { api, clearFieldErrors, el, errorBox, loadCases, num, pct, plot, readFile, setStatus, showFieldError, words } from "./common.js";
import { UNITS, distributionView, headline, label } from "./assessment.js";

const uploads = { a: null, b: null };

function sides() {
  const params = new URLSearchParams(location.search);
  return {
    a: { case: params.get("a") || "dprk-2017", sets: params.getAll("aset") },
    b: { case: params.get("b") || "dprk-2017", sets: params.getAll("bset") },
  };
}

// The inputs of one side ("a" or "b"): a bundled case or an uploaded file, and its changes.
function sideInputs(side) {
  return el("fieldset", { class: "side", id: `side-${side}` }, el("legend", {}, `Scenario ${side.toUpperCase()}`),
    el("label", { for: `case-${side}` }, "Bundled case"), el("select", { id: `case-${side}` }),
    el("label", { for: `upload-${side}` }, "or upload YAML"), el("input", { type: "file", id: `upload-${side}`, accept: ".yaml,.yml" }),
    errorBox(`upload-${side}`),
    el("label", { for: `sets-${side}` }, "Changes (one PATH=VALUE per line, as ", el("code", {}, "--set"), ")"),
    el("textarea", { id: `sets-${side}`, rows: 3, "aria-describedby": "h-sets", "data-error-for": side }),
    errorBox(side));
}

function specOf(side) {
  const sets = document.getElementById(`sets-${side}`).value.split("\n").map((s) => s.trim()).filter(Boolean);
  if (uploads[side]) return { yaml: uploads[side].text, filename: uploads[side].name, sets };
  return { case: document.getElementById(`case-${side}`).value, sets };
}

function writeUrl() {
  const params = new URLSearchParams();
  for (const side of ["a", "b"]) {
    if (!uploads[side]) params.set(side, document.getElementById(`case-${side}`).value);
    for (const s of specOf(side).sets) params.append(`${side}set`, s);
  }
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function signed(value, isProbability) {
  if (value === null || value === undefined) return "–";
  const text = isProbability ? `${(100 * value).toFixed(1)} pts` : num(value, 3);
  return value > 0 ? `+${text}` : text;
}

// The unit of a flattened figure's path ("pressure.factors.until_resolution_value_of_office" ...).
function unitOf(path) {
  const parts = path.split(".");
  const last = parts[parts.length - 1];
  if (parts[0] === "calculus") return "value of office";
  if (parts.includes("third_parties")) return "enforcement share";
  if (parts.includes("third_party_trade")) return "trade share";
  if (UNITS[last] && UNITS[last] !== "probability") return `${label(last) !== words(last) ? `${label(last)}, ` : ""}${UNITS[last]}`;
  return null;
}

function render(result) {
  const a = result.a.assessment;
  const b = result.b.assessment;
  const cardsA = headline(a);
  const cardsB = headline(b);
  for (const card of cardsB.querySelectorAll(".card")) {
    const key = card.dataset.figure;
    const diff = b[key] - a[key];
    card.append(el("div", { class: "diff", "data-diff": String(diff) },
      `B − A: ${signed(diff, true)}`));
  }
  const keys = Object.keys(a).filter((k) => typeof a[k] === "number" && (a.intervals || {})[k]);
  const chart = el("div", { class: "chart", id: "chart-compare", role: "img", "aria-label": "Headline figures of A and B" });
  const rows = result.differences.map((row) => el("tr", {},
    el("td", {}, row.path, unitOf(row.path) ? el("span", { class: "muted" }, ` (${unitOf(row.path)})`) : null), el("td", { class: "num" }, num(row.a, 4)), el("td", { class: "num" }, num(row.b, 4)),
    el("td", { class: "num" }, row.diff === null ? "–" : signed(row.diff, false))));
  const binding = el("p", {}, `Binding condition — A: ${a.binding ?? "none"}; B: ${b.binding ?? "none"}.`);
  // given the challenge vs ex ante, each side and the difference
  const exRows = [["compliance", "compliance"], ["war", "war"], ["challenge", null], ["backdown", null], ["status_quo", null]]
    .filter(([k]) => (a.ex_ante || {})[k] !== undefined || (b.ex_ante || {})[k] !== undefined)
    .map(([k, cond]) => {
      const ea = (a.ex_ante || {})[k], eb = (b.ex_ante || {})[k];
      return el("tr", { "data-row": k }, el("th", { scope: "row" }, words(k)),
        el("td", { class: "num" }, cond ? pct(a[cond]) : "–"), el("td", { class: "num" }, cond ? pct(b[cond]) : "–"),
        el("td", { class: "num" }, cond ? signed(b[cond] - a[cond], true) : "–"),
        el("td", { class: "num" }, pct(ea)), el("td", { class: "num" }, pct(eb)),
        el("td", { class: "num" }, ea === undefined || eb === undefined ? "–" : signed(eb - ea, true)));
    });
  const exAnte = el("section", { class: "panel", id: "compare-ex-ante" }, el("h2", {}, "Given the challenge vs ex ante"),
    el("table", { class: "table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "outcome"),
        ...["A given the challenge", "B given the challenge", "B − A", "A ex ante", "B ex ante", "B − A (ex ante)"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, exRows)));
  const notes = el("section", { class: "panel", id: "compare-notes" }, el("h2", {}, "What moves the numbers"),
    el("div", { class: "columns" }, ...[["A", a], ["B", b]].map(([side, r]) => el("div", {}, el("h3", {}, side),
      (r.notes || []).length ? el("ul", {}, r.notes.map((n) => el("li", {}, n))) : el("p", { class: "muted" }, "No selection or deadline note."),
      r.selection ? el("p", { class: "muted" }, `Credibility among challengers ${pct(r.selection.credibility_challengers)}, all coercer types ${pct(r.selection.credibility_all_coercers)}.`) : null,
      r.deadline_effect ? el("p", { class: "muted" }, `Compliance with the deadline ${pct(r.deadline_effect.compliance_with_deadline)}, with none ${pct(r.deadline_effect.compliance_without_deadline)}.`) : null))));
  // each third party's chosen enforcement in A and B
  const pa = ((a.pressure || {}).factors || {}).third_parties || {};
  const pb = ((b.pressure || {}).factors || {}).third_parties || {};
  const parties = [...new Set([...Object.keys(pa), ...Object.keys(pb)])];
  const fa = (a.pressure || {}).factors || {}, fb = (b.pressure || {}).factors || {};
  const partyRows = [...parties.map((n) => [n, pa[n], pb[n]]), ["weighted isolation (0–1)", fa.isolation, fb.isolation, true],
    ["overall enforcement", fa.enforcement, fb.enforcement]].map(([n, x, y, plain]) => el("tr", {},
    el("th", { scope: "row" }, n), el("td", { class: "num" }, plain ? num(x) : pct(x)), el("td", { class: "num" }, plain ? num(y) : pct(y)),
    el("td", { class: "num" }, x === undefined || y === undefined ? "–" : plain ? signed(y - x, false) : signed(y - x, true))));
  const thirdParties = el("section", { class: "panel", id: "compare-third-parties" }, el("h2", {}, "Third parties' chosen enforcement"),
    el("table", { class: "table" }, el("thead", {}, el("tr", {}, ...["party", "A", "B", "B − A"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, partyRows)));
  const constants = el("p", { class: "muted", id: "compare-constants" },
    `Constants in force — A: ${(a.model || {}).constants_source}; B: ${(b.model || {}).constants_source}. `
    + "Probabilities are conditional on the challenge unless marked ex ante; sanctions, strike and calculus figures are in value-of-office units (1 = the regime loses power for certain).");
  const distA = distributionView(result.a.distribution);
  const distB = distributionView(result.b.distribution);
  distA.querySelector(".chart").id = "chart-distribution-a";
  distB.querySelector(".chart").id = "chart-distribution-b";
  distA.querySelector("h2").textContent = `A: ${distA.querySelector("h2").textContent}`;
  distB.querySelector("h2").textContent = `B: ${distB.querySelector("h2").textContent}`;
  const container = document.getElementById("comparison");
  container.replaceChildren(
    el("div", { class: "columns" },
      el("div", {}, el("h2", {}, `A: ${a.case.title}`), cardsA),
      el("div", {}, el("h2", {}, `B: ${b.case.title}`), cardsB)),
    binding, chart, exAnte, notes, thirdParties, el("div", { class: "columns" }, distA, distB), constants,
    el("section", { class: "panel" }, el("table", { class: "table", id: "differences" },
      el("caption", {}, "Every figure of the two assessments"),
      el("thead", {}, el("tr", {}, ...["figure", "A", "B", "B − A"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows))));
  plot(chart, [
    { type: "bar", name: "A", x: keys.map(words), y: keys.map((k) => a[k]), marker: { color: "#9aa5b1" } },
    { type: "bar", name: "B", x: keys.map(words), y: keys.map((k) => b[k]), marker: { color: "#2f6f9f" } },
  ], { barmode: "group", height: 280, yaxis: { range: [0, 1], tickformat: ".0%" } });
  distA.draw();
  distB.draw();
  setStatus(`compliance A ${pct(a.compliance)}, B ${pct(b.compliance)}`);
}

async function run() {
  clearFieldErrors();
  writeUrl();
  try {
    render(await api("/api/compare", { a: specOf("a"), b: specOf("b") }));
    document.body.dataset.compared = "1";
  } catch (error) {
    const first = (error.detail || [])[0] || {};
    const side = (first.loc || [])[1] === "b" ? "b" : "a";
    showFieldError(side, error.message);
    setStatus("error — see the message beside the field");
  }
}

async function init() {
  const initial = sides();
  document.querySelector(".compare-inputs").replaceChildren(sideInputs("a"), sideInputs("b"));
  for (const side of ["a", "b"]) {
    await loadCases(document.getElementById(`case-${side}`), initial[side].case);
    document.getElementById(`sets-${side}`).value = initial[side].sets.join("\n");
    document.getElementById(`case-${side}`).addEventListener("change", () => { uploads[side] = null; run(); });
    document.getElementById(`upload-${side}`).addEventListener("change", async (event) => {
      const file = await readFile(event.target);
      showFieldError(`upload-${side}`, "");
      if (!file) return;
      try {
        await api("/api/scenario", { yaml: file.text, filename: file.name });
        uploads[side] = file;
        run();
      } catch (error) {
        showFieldError(`upload-${side}`, error.message);
      }
    });
  }
  if (!new URLSearchParams(location.search).has("bset") && !document.getElementById("sets-b").value) {
    // the page's example: the same case with credible assurances
    document.getElementById("sets-b").value = "instruments.assurance.credibility=0.9";
  }
  document.getElementById("run").addEventListener("click", run);
  await run();
}

init();
