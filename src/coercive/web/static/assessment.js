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
const CONSUMED = new Set(["case", "conditioning", "intervals", "binding", "counterfactuals"]);

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
      .map(([k, v]) => `${words(k)} ${typeof v === "number" ? num(v) : v}`).join(", ");
    return el("tr", { class: binding ? "binding" : "" },
      el("th", { scope: "row" }, name, binding ? el("span", { class: "badge" }, "binding") : null),
      el("td", {}, el("span", { class: `status status-${c.status}` }, c.status)),
      el("td", {}, `${words(c.quantity || "")} ${num(c.value)} (met at ${num(c.met_at)})`,
        extra ? el("div", { class: "muted" }, extra) : null),
      el("td", { class: "num" }, cf.compliance === undefined ? "–" : pct(cf.compliance)),
      el("td", { class: "num" }, cf.gain === undefined ? "–" : `${cf.gain >= 0 ? "+" : ""}${(100 * cf.gain).toFixed(0)} pts`));
  });
  const sentence = result.binding
    ? `Binding condition: ${result.binding} — raising it to 'met' moves compliance from ${pct(result.compliance)} to ${pct((counter[result.binding] || {}).compliance)}, more than any other (counterfactual runs of the model).`
    : "No single condition is binding: raising any of them to 'met' changes compliance by less than half a point.";
  const chart = el("div", { class: "chart", id: "chart-conditions", role: "img",
    "aria-label": "Compliance if each condition were met" });
  const table = el("table", { class: "table" },
    el("caption", {}, "Jakobsen's four conditions"),
    el("thead", {}, el("tr", {}, ...["condition", "status", "what the model sees", "compliance if met", "gain"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows));
  const section = el("section", { class: "panel", id: "conditions" }, el("h2", {}, "Conditions"),
    el("p", { id: "binding" }, sentence), table, chart);
  section.draw = () => {
    const names = Object.keys(counter);
    plot(chart, [
      { type: "bar", name: "now", x: names, y: names.map(() => result.compliance), marker: { color: "#9aa5b1" } },
      { type: "bar", name: "if met", x: names, y: names.map((n) => counter[n].compliance), marker: { color: "#2f6f9f" } },
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
    plot(chart, traces, { showlegend: true, height: 340, yaxis: { title: "GDP-years" },
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

// key -> (value, whole result) => section element (with an optional .draw() for its charts).
export const SECTION_RENDERERS = {
  conditions: (_, result) => conditionsView(result),
  calculus: (value) => calculusView(value),
  pressure: (value) => genericSection("pressure", value, "Pressure on the regime"),
  equilibrium_sensitivity: (value) => genericSection("equilibrium_sensitivity", value, "Equilibrium selection"),
  model: (value) => {
    const section = genericSection("model", value, "Model settings and constants");
    return el("details", { class: "panel-details" }, el("summary", {}, "Model settings and constants"), section);
  },
  // sensitivity: tornado chart — extension point, not computed by the library yet
  // campaign: trajectory over time — extension point, not computed by the library yet
  // design: frontier of instrument mixes — extension point, not computed by the library yet
};

const FIRST = ["conditions", "calculus"];

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
    if (SECTION_RENDERERS[key]) sections.push(SECTION_RENDERERS[key](value, result));
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
      `coercive ${payload.facts.version}; calibration: ${typeof payload.facts.calibration === "string" ? payload.facts.calibration : JSON.stringify(payload.facts.calibration)}`));
  }
  container.replaceChildren(...sections);
  for (const section of container.querySelectorAll("section")) if (section.draw) section.draw();
}
