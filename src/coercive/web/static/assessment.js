// Rendering an assessment (the JSON of `coercive assess --json`) generically.
//
// Headline figures: every top-level probability that has an entry in `intervals`.
// Known sections get their own view (SECTION_RENDERERS); every other field the model
// returns is still shown, as a nested table, under "Other outputs" — so new outputs of the
// policy model appear without changes here, and get a chart when a renderer is registered.
//
// Extension points (the library does not compute these yet; register a renderer under the
// key the assessment will use when it does): the sensitivity tornado, the campaign
// trajectory and the design frontier.

import { el, num, pct, plot, words } from "./common.js";

const LABELS = {
  compliance: "Compliance",
  credibility: "Credibility",
  war: "War",
  challenge: "Challenge",
  war_unconditional: "War, ex ante",
};

const HELP = {
  compliance: "P(target concedes | challenge)",
  credibility: "P(coercer carries out the threat | target resisted)",
  war: "P(threat executed | challenge)",
  challenge: "P(coercer launches the campaign)",
  war_unconditional: "P(threat executed), before any challenge",
};

// Fields rendered elsewhere on the page (headline, conditions) or pure metadata.
const CONSUMED = new Set(["case", "conditioning", "intervals", "binding", "counterfactuals",
  "selection", "deadline_effect"]);

// Units of the pressure figures; value of office: 1 = the regime loses power for certain
// (docs/model.md §2).
const OFFICE = "value of office";
export const UNITS = {
  economic: "share of GDP per year",
  exports: "share of GDP per year",
  imports: "share of GDP per year",
  strategic_imports: "share of GDP per year",
  economy_loss: "share of GDP per year",
  pass_through: "share",
  enforcement: "share of sanctioned trade stopped",
  leakage: "share of sanctioned trade",
  isolation: "weighted share of partners (0–1)",
  horizon_years: "years",
  until_resolution_value_of_office: OFFICE,
  sanctions_value_of_office: OFFICE,
  sanctions_hazard_per_year: "P(regime falls) per year",
  relief_believed_value: OFFICE,
  credibility: "probability",
  expected_strike_cost_value_of_office: OFFICE,
  expected_strike_regime_loss: OFFICE,
  observed_growth: "per year",
  carrots_value_of_office: OFFICE,
};
// Labels of kept keys whose name no longer says their unit.
const RENAMED = {
  until_resolution_value_of_office: "sanctions until resolution",
  expected_strike_cost_value_of_office: "expected strike cost",
  carrots_value_of_office: "expected carrots",
};
export function label(key) { return RENAMED[key] || words(key); }
function withUnit(key, value) {
  if (typeof value !== "number") return String(value);
  const unit = UNITS[key];
  return unit ? `${num(value)} ${unit === "probability" || unit === "share" ? "" : unit}`.trim() : num(value);
}

export function headline(result) {
  const intervals = result.intervals || {};
  const level = intervals.level ? `${Math.round(100 * intervals.level)}%` : "";
  const cards = [];
  for (const [key, value] of Object.entries(result)) {
    if (typeof value !== "number" || !Array.isArray(intervals[key])) continue;
    const [low, high] = intervals[key];
    cards.push(el("div", { class: "card", id: `fig-${key}`, "data-figure": key },
      el("div", { class: "card-label" }, LABELS[key] || words(key)),
      el("div", { class: "card-value", "data-value": String(value) }, pct(value)),
      el("div", { class: "card-interval" }, `${level} interval ${pct(low)}–${pct(high)}`),
      HELP[key] ? el("div", { class: "card-help" }, HELP[key]) : null));
  }
  return el("div", { class: "cards" }, cards);
}

function conditionsView(result) {
  const conditions = result.conditions || {};
  const counter = result.counterfactuals || {};
  const rows = Object.entries(conditions).map(([name, c]) => {
    const cf = counter[name] || {};
    const binding = name === result.binding;
    const extra = Object.entries(c).filter(([k]) => !["status", "quantity", "value", "met_at", "meaning"].includes(k))
      .map(([k, v]) => `${label(k)} ${withUnit(k, v)}`).join(", ");
    return el("tr", { class: binding ? "binding" : "" },
      el("th", { scope: "row" }, name, binding ? el("span", { class: "badge" }, "binding") : null),
      el("td", {}, el("span", { class: `status status-${c.status}` }, c.status)),
      el("td", {}, `${words(c.quantity || "")} ${num(c.value)} (met at ${num(c.met_at)})`,
        extra ? el("div", { class: "muted" }, extra) : null),
      el("td", { class: "num" }, cf.compliance === undefined ? "–" : pct(cf.compliance)),
      el("td", { class: "num" }, cf.compliance_ex_ante === undefined ? "–" : pct(cf.compliance_ex_ante)),
      el("td", { class: "num" }, cf.credibility === undefined ? "–" : pct(cf.credibility)),
      el("td", { class: "num" }, cf.gain === undefined ? "–" : `${cf.gain >= 0 ? "+" : ""}${(100 * cf.gain).toFixed(0)} pts`));
  });
  const sentence = result.binding
    ? `Binding condition: ${result.binding} — raising it to 'met' moves compliance from ${pct(result.compliance)} to ${pct((counter[result.binding] || {}).compliance)}, more than any other (counterfactual runs of the model).`
    : "No single condition is binding: raising any of them to 'met' changes compliance by less than half a point.";
  const chart = el("div", { class: "chart", id: "chart-conditions", role: "img",
    "aria-label": "Compliance if each condition were met" });
  const table = el("table", { class: "table" },
    el("caption", {}, "Jakobsen's four conditions"),
    el("thead", {}, el("tr", {}, ...["condition", "status", "what the model sees", "compliance if met (given the challenge)",
      "compliance if met (ex ante)", "credibility if met", "gain"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows));
  const section = el("section", { class: "panel", id: "conditions" }, el("h2", {}, "Conditions"),
    el("p", { id: "binding" }, sentence), table, chart);
  section.draw = () => {
    const names = Object.keys(counter);
    plot(chart, [
      { type: "bar", name: "now", x: names, y: names.map(() => result.compliance), marker: { color: "#9aa5b1" } },
      { type: "bar", name: "if met", x: names, y: names.map((n) => counter[n].compliance), marker: { color: "#2f6f9f" } },
      ...(names.every((n) => typeof counter[n].compliance_ex_ante === "number")
        ? [{ type: "bar", name: "if met, ex ante", x: names, y: names.map((n) => counter[n].compliance_ex_ante), marker: { color: "#7fb3d5" } }]
        : []),
    ], { barmode: "group", yaxis: { title: "compliance", range: [0, 1], tickformat: ".0%" }, height: 280 });
  };
  return section;
}

function calculusView(calculus) {
  const chart = el("div", { class: "chart", id: "chart-calculus", role: "img",
    "aria-label": "The target's calculus as a waterfall chart" });
  const section = el("section", { class: "panel", id: "calculus" }, el("h2", {}, "The target's calculus"),
    el("p", { class: "muted" }, `${calculus.units || ""}. ${calculus.meaning || ""}`), chart);
  section.draw = () => {
    const traces = [];
    for (const side of ["comply", "resist"]) {
      const parts = Object.entries(calculus[side] || {}).filter(([k]) => k !== "total");
      traces.push({
        type: "waterfall", name: `if it ${side === "comply" ? "complies" : "resists"}`,
        x: [...parts.map(([k]) => `${side}: ${words(k)}`), `${side}: total`],
        y: [...parts.map(([, v]) => v), 0],
        measure: [...parts.map(() => "relative"), "total"],
        text: [...parts.map(([, v]) => num(v)), num(calculus[side].total)],
        textposition: "outside",
        connector: { line: { color: "#999" } },
        decreasing: { marker: { color: "#c0504d" } },
        increasing: { marker: { color: "#4f9d69" } },
        totals: { marker: { color: side === "comply" ? "#2f6f9f" : "#7a5195" } },
      });
    }
    plot(chart, traces, { showlegend: true, height: 340, yaxis: { title: "value of office" },
      margin: { l: 60, r: 20, t: 30, b: 120 } });
  };
  return section;
}

export function distributionView(distribution, key = "compliance") {
  const hist = distribution[key];
  const chart = el("div", { class: "chart", id: `chart-distribution-${key}`, role: "img",
    "aria-label": `Monte Carlo distribution of ${key}` });
  const section = el("section", { class: "panel", id: "distribution" },
    el("h2", {}, `Distribution of ${key} over ${hist.draws} draws`), chart);
  section.draw = () => {
    const centres = hist.counts.map((_, i) => (hist.edges[i] + hist.edges[i + 1]) / 2);
    plot(chart, [{ type: "bar", x: centres, y: hist.counts.map((c) => c / hist.draws),
      width: hist.edges[1] - hist.edges[0], marker: { color: "#2f6f9f" } }],
    { height: 260, bargap: 0.05, xaxis: { title: key, range: [0, 1], tickformat: ".0%" },
      yaxis: { title: "share of draws", tickformat: ".0%" } });
  };
  return section;
}

export function genericView(value) {
  if (value === null || value === undefined) return el("span", { class: "muted" }, "none");
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== "object" || v === null)) return value.map((v) => num(v)).join(", ");
    return el("ol", {}, value.map((v) => el("li", {}, genericView(v))));
  }
  if (typeof value === "object") {
    return el("table", { class: "table kv" }, el("tbody", {}, Object.entries(value).map(([k, v]) =>
      el("tr", {}, el("th", { scope: "row" }, words(k)), el("td", {}, genericView(v))))));
  }
  if (typeof value === "number") return num(value, 4);
  return String(value);
}

function genericSection(key, value, title) {
  return el("section", { class: "panel", id: `section-${key}` }, el("h2", {}, title || words(key)), genericView(value));
}


// The headline figures are conditional on the challenge; ex_ante gives them before it.
const EX_ANTE_ROWS = [
  ["challenge", "Coercer challenges", null],
  ["compliance", "Target complies", "compliance"],
  ["war", "Threat executed (war)", "war"],
  ["backdown", "Target resists, coercer backs down", null],
  ["status_quo", "No challenge (status quo)", null],
];

export function exAnteView(result) {
  const exAnte = result.ex_ante || {};
  const rows = EX_ANTE_ROWS.filter(([key]) => typeof exAnte[key] === "number").map(([key, text, conditional]) => {
    const cond = conditional ? result[conditional] : null;
    return el("tr", { "data-row": key },
      el("th", { scope: "row" }, text),
      el("td", { class: "num", "data-conditional": cond === null ? "" : String(cond) },
        cond === null ? (key === "challenge" ? "100% (given)" : "–") : pct(cond)),
      el("td", { class: "num", "data-ex-ante": String(exAnte[key]) }, pct(exAnte[key])));
  });
  const chart = el("div", { class: "chart", id: "chart-ex-ante", role: "img",
    "aria-label": "Compliance and war given the challenge and ex ante" });
  const section = el("section", { class: "panel", id: "ex-ante" },
    el("h2", {}, "Given the challenge vs ex ante"),
    el("p", { class: "muted" }, "Given the challenge: the campaign is under way (the headline figures). "
      + "Ex ante: before the coercer decides whether to challenge — P(it challenges and then each outcome)."),
    el("table", { class: "table", id: "ex-ante-table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "outcome"),
        el("th", { scope: "col" }, "given the challenge"), el("th", { scope: "col" }, "ex ante"))),
      el("tbody", {}, rows)),
    chart);
  section.draw = () => {
    const keys = ["compliance", "war"].filter((k) => typeof exAnte[k] === "number");
    plot(chart, [
      { type: "bar", name: "given the challenge", x: keys.map(words), y: keys.map((k) => result[k]), marker: { color: "#2f6f9f" } },
      { type: "bar", name: "ex ante", x: keys.map(words), y: keys.map((k) => exAnte[k]), marker: { color: "#9aa5b1" } },
    ], { barmode: "group", height: 240, yaxis: { range: [0, 1], tickformat: ".0%" } });
  };
  return section;
}

// The model's one-sentence notes (selection effects, a deadline that hurts) and the figures behind them.
export function notesView(result) {
  const items = [];
  const sel = result.selection;
  if (sel) {
    items.push(el("li", { id: "selection-figures" },
      `Selection: credibility among coercers who challenge ${pct(sel.credibility_challengers)}, `
      + `over all coercer types ${pct(sel.credibility_all_coercers)} (gap ${signedPts(sel.gap)}).`));
  }
  const dl = result.deadline_effect;
  if (dl) {
    items.push(el("li", { id: "deadline-figures" },
      `Deadline (${num(12 * dl.deadline_years)} months): compliance ${pct(dl.compliance_with_deadline)} with it, `
      + `${pct(dl.compliance_without_deadline)} with none (the coercer then decides after ${num(dl.open_ended_years)} years; `
      + `credibility ${pct(dl.credibility_without_deadline)}).`));
  } else {
    items.push(el("li", { id: "deadline-figures" }, "No deadline set: no deadline comparison."));
  }
  const notes = result.notes || [];
  const list = notes.length
    ? el("ul", { id: "notes-list" }, notes.map((n) => el("li", { class: "note" }, n)))
    : el("p", { class: "muted", id: "notes-list" }, "No selection or deadline effect moves a figure by the model's threshold.");
  return el("section", { class: "panel", id: "notes" }, el("h2", {}, "What moves the numbers"),
    list, el("ul", { class: "muted" }, items));
}

function signedPts(value) {
  const pts = (100 * value).toFixed(1);
  return `${value > 0 ? "+" : ""}${pts} pts`;
}

function kvTable(entries, id) {
  return el("table", { class: "table kv", id }, el("tbody", {}, entries.map(([k, v]) =>
    el("tr", {}, el("th", { scope: "row" }, label(k)),
      el("td", {}, typeof v === "number" ? withUnit(k, v) : genericView(v))))));
}

export function pressureView(pressure) {
  const factors = pressure.factors || {};
  const parties = factors.third_parties || {};
  const trade = factors.third_party_trade || {};
  const names = Object.keys(parties);
  const partyRows = names.map((name) => el("tr", {},
    el("th", { scope: "row" }, name),
    el("td", { class: "num" }, typeof trade[name] === "number" ? pct(trade[name]) : "–"),
    el("td", { class: "num", "data-enforcement": String(parties[name]) }, pct(parties[name]))));
  const chart = el("div", { class: "chart", id: "chart-third-parties", role: "img",
    "aria-label": "Each third party's chosen enforcement" });
  const rest = Object.entries(factors).filter(([k]) => !["third_parties", "third_party_trade"].includes(k));
  const section = el("section", { class: "panel", id: "pressure" }, el("h2", {}, "Pressure on the regime"),
    el("p", {}, `Economic cost borne by the regime: ${pct(pressure.economic)} of GDP per year `
      + `(90% interval ${pct((pressure.economic_interval || [])[0])}–${pct((pressure.economic_interval || [])[1])}); `
      + `overall enforcement ${pct(factors.enforcement)} (leakage ${pct(factors.leakage)}), `
      + `weighted isolation ${num(factors.isolation)} (partners counted by weight, 0–1).`),
    names.length ? el("table", { class: "table", id: "third-parties" },
      el("caption", {}, "Third parties: each chooses its enforcement (share of its sanctioned trade with the target it stops)"),
      el("thead", {}, el("tr", {}, ...["party", "share of the target's trade", "chosen enforcement"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, partyRows)) : el("p", { class: "muted" }, "No third parties in this scenario."),
    names.length ? chart : null,
    el("h3", {}, "Economic parts"), kvTable(Object.entries(pressure.parts || {}), "pressure-parts"),
    el("h3", {}, "Factors"), kvTable(rest, "pressure-factors"),
    el("h3", {}, "Military"), kvTable(Object.entries(pressure.military || {}), "pressure-military"),
    el("p", { class: "muted" }, `Value of office: 1 = the regime loses power for certain (docs/model.md §2). `
      + `Observed growth ${num(pressure.observed_growth)} per year.`));
  section.draw = () => {
    if (!names.length) return;
    plot(chart, [{ type: "bar", x: names, y: names.map((n) => parties[n]), marker: { color: "#2f6f9f" },
      hovertext: names.map((n) => `share of the target's trade ${pct(trade[n])}`), hoverinfo: "x+y+text" }],
    { height: 240, yaxis: { title: "chosen enforcement", range: [0, 1], tickformat: ".0%" }, margin: { l: 60, r: 20, t: 20, b: 80 } });
  };
  return section;
}

export function constantsView(model, facts) {
  const calibration = facts ? facts.calibration : null;
  const rows = [];
  if (calibration && typeof calibration === "object") {
    for (const [name, c] of Object.entries(calibration.constants || {})) {
      rows.push(el("tr", {}, el("th", { scope: "row" }, name), el("td", { class: "num" }, num(c.value, 4)),
        el("td", { class: "num" }, c.se === null ? "–" : num(c.se, 3)), el("td", {}, c.unit || ""), el("td", { class: "muted" }, c.source || "")));
    }
  }
  const calibrationText = !calibration ? "" : typeof calibration === "string" ? calibration
    : `${calibration.name}: estimated on ${calibration.data} (cases starting by ${calibration.train_until}, n = ${calibration.n_cases}); the estimated constants are drawn per Monte Carlo draw from their sampling distribution.`;
  const settings = { draws: model.draws, seed: model.seed, equilibrium: model.equilibrium, units: model.units };
  return el("section", { class: "panel", id: "section-model" }, el("h2", {}, "Calibration and constants in force"),
    el("p", { id: "constants-source" }, `Constants in force: ${model.constants_source || (facts || {}).constants_source || "?"}. ${calibrationText}`),
    rows.length ? el("h3", {}, "Estimated constants") : null,
    rows.length ? el("table", { class: "table", id: "calibration" },
      el("thead", {}, el("tr", {}, ...["constant", "estimate", "se", "unit", "source"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)) : null,
    el("h3", {}, "Run settings and units"),
    genericView(settings),
    el("details", { class: "panel-details" }, el("summary", {}, "Every constant in force"), genericView(model.constants)));
}

// key -> (value, whole result) => section element (with an optional .draw() for its charts).
export const SECTION_RENDERERS = {
  conditions: (_, result) => conditionsView(result),
  calculus: (value) => calculusView(value),
  ex_ante: (_, result) => exAnteView(result),
  notes: (_, result) => notesView(result),
  pressure: (value) => pressureView(value),
  equilibrium_sensitivity: (value) => genericSection("equilibrium_sensitivity", value, "Equilibrium selection"),
  model: (value, _, payload) => constantsView(value, payload && payload.facts),
  // sensitivity: tornado chart — extension point, not computed by the library yet
  // campaign: trajectory over time — extension point, not computed by the library yet
  // design: frontier of instrument mixes — extension point, not computed by the library yet
};

const FIRST = ["ex_ante", "notes", "conditions", "calculus"];

export function renderAssessment(container, payload) {
  const result = payload.assessment;
  const sections = [headline(result)];
  sections.push(el("p", { class: "muted" }, `All probabilities are ${result.conditioning}.`));
  const other = [];
  // the conditions and the calculus first, then the distribution, then the rest in order
  const keys = Object.keys(result);
  const order = [...FIRST.filter((k) => k in result), ...keys.filter((k) => !FIRST.includes(k))];
  for (const key of order) {
    const value = result[key];
    if (CONSUMED.has(key)) continue;
    if (typeof value === "number" && (result.intervals || {})[key]) continue;
    if (SECTION_RENDERERS[key]) sections.push(SECTION_RENDERERS[key](value, result, payload));
    else other.push([key, value]);
    if (key === FIRST[FIRST.length - 1] && payload.distribution) {
      sections.push(distributionView(payload.distribution));
    }
  }
  if (!("calculus" in result) && payload.distribution) sections.push(distributionView(payload.distribution));
  if (other.length) {
    sections.push(el("section", { class: "panel", id: "other" }, el("h2", {}, "Other outputs"),
      genericView(Object.fromEntries(other))));
  }
  if (payload.facts) {
    sections.push(el("p", { class: "muted", id: "facts" },
      `coercive ${payload.facts.version}; constants in force: ${payload.facts.constants_source}.`));
  }
  container.replaceChildren(...sections);
  for (const section of container.querySelectorAll("section")) if (section.draw) section.draw();
}
