// The Game page: the Lewis–Schultz tree with equilibrium probabilities, payoff sliders,
// every equilibrium with its stability, and the comparative statics of any payoff.
import { api, clearFieldErrors, debounce, el, errorBox, errorField, num, plot, setStatus, showFieldError } from "./common.js";

// Payoffs of Lewis & Schultz (2003); defaults are the documented three-equilibrium example.
const PAYOFFS = [
  ["SA", "A's payoff at the status quo", 0],
  ["VA", "A's payoff when B concedes", 1],
  ["CB", "B's payoff when it concedes", 0],
  ["WA", "A's payoff from war (before its shock)", -1.9],
  ["WB", "B's payoff from war (before its shock)", -2.85],
  ["a", "A's payoff from backing down (audience cost, before its shock)", -1.2],
  ["VB", "B's payoff when A backs down", 1],
  ["sigma", "σ: standard deviation of the private shocks", 1],
];
const RANGE = { sigma: [0.05, 5] };
const DEFAULT_RANGE = [-5, 5];

const game = Object.fromEntries(PAYOFFS.map(([k, , v]) => [k, v]));
let equilibria = [];
let chosen = 0;

function readUrl() {
  const params = new URLSearchParams(location.search);
  for (const [key] of PAYOFFS) {
    const value = Number(params.get(key));
    if (params.has(key) && Number.isFinite(value)) game[key] = value;
  }
  return params;
}

function writeUrl() {
  const params = new URLSearchParams(Object.entries(game).map(([k, v]) => [k, String(v)]));
  params.set("sweep", document.getElementById("sweep-param").value);
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function controls() {
  const form = document.getElementById("payoffs");
  form.replaceChildren(...PAYOFFS.map(([key, help]) => {
    const [low, high] = RANGE[key] || DEFAULT_RANGE;
    const id = `p-${key}`;
    const slider = el("input", { type: "range", id, min: low, max: high, step: 0.05, "aria-describedby": `h-${key}` });
    const box = el("input", { type: "number", id: `${id}--value`, step: "any", "aria-label": `${key} (value)`, "data-error-for": key });
    slider.value = game[key];
    box.value = game[key];
    slider.addEventListener("input", () => { box.value = slider.value; game[key] = Number(slider.value); changed(); });
    box.addEventListener("change", () => { if (box.value === "") return; slider.value = box.value; game[key] = Number(box.value); changed(); });
    return el("div", { class: "field" }, el("label", { for: id }, key),
      el("div", { class: "slider-row" }, slider, box), el("small", { class: "help", id: `h-${key}` }, help), errorBox(key));
  }));
}

function tree(eq) {
  const p = (v) => (eq ? num(v, 3) : "–");
  const W = 860;
  const H = 330;
  const nodes = { A1: [70, 70], B: [290, 70], A2: [510, 70] };
  const leaves = {
    SQ: [70, 250, `SQ  (A: SA = ${game.SA}, B: 0)`],
    CD: [290, 250, `CD  (A: VA = ${game.VA}, B: CB = ${game.CB})`],
    BD: [510, 250, `BD  (A: a = ${game.a}, B: VB = ${game.VB})`],
    SF: [690, 70, "SF: war"],
  };
  const svg = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="13">`];
  const edge = (from, to, label, prob) => {
    const [x1, y1] = from; const [x2, y2] = to;
    const width = eq ? 1 + 7 * prob : 1.5;
    svg.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#2f6f9f" stroke-width="${width.toFixed(2)}" stroke-linecap="round"/>`);
    const mx = (x1 + x2) / 2; const my = (y1 + y2) / 2;
    const dx = y1 === y2 ? 0 : 10;
    svg.push(`<text x="${mx + dx}" y="${my - 8}" text-anchor="${dx ? "start" : "middle"}" fill="#1f2933">${label}: <tspan font-weight="700">${p(prob)}</tspan></text>`);
  };
  edge(nodes.A1, nodes.B, "challenge pC", eq && eq.pC);
  edge(nodes.A1, leaves.SQ, "status quo 1−pC", eq && 1 - eq.pC);
  edge(nodes.B, nodes.A2, "resist pR", eq && eq.pR);
  edge(nodes.B, leaves.CD, "concede 1−pR", eq && 1 - eq.pR);
  edge(nodes.A2, leaves.SF, "stand firm pF", eq && eq.pF);
  edge(nodes.A2, leaves.BD, "back down 1−pF", eq && 1 - eq.pF);
  for (const [name, [x, y]] of Object.entries(nodes)) {
    svg.push(`<circle cx="${x}" cy="${y}" r="16" fill="#102a43"/><text x="${x}" y="${y + 5}" text-anchor="middle" fill="#fff" font-weight="700">${name[0]}</text>`);
  }
  for (const [name, [x, y, label]] of Object.entries(leaves)) {
    const sf = name === "SF" ? `  (A: WA = ${game.WA}, B: WB = ${game.WB})` : "";
    svg.push(`<rect x="${x - 8}" y="${y - 8}" width="16" height="16" fill="#f0b429"/>`);
    // the SF leaf sits at the right edge: its text is right-aligned to stay inside the drawing
    const tx = sf ? W - 10 : x - 8;
    const anchor = sf ? "end" : "start";
    svg.push(`<text x="${tx}" y="${y + 28}" text-anchor="${anchor}" fill="#1f2933">${label}${sf}</text>`);
    svg.push(`<text x="${tx}" y="${y + 46}" text-anchor="${anchor}" fill="#52606d">P(${name}) = <tspan font-weight="700">${p(eq && eq[name])}</tspan></text>`);
  }
  svg.push("</svg>");
  document.getElementById("tree").innerHTML = svg.join("");
}

function table() {
  const t = document.getElementById("equilibria");
  const cols = ["pC", "pR", "pF", "SQ", "CD", "SF", "BD", "slope"];
  t.tHead.replaceChildren(el("tr", {}, el("th", { scope: "col" }, "#"), ...cols.map((c) => el("th", { scope: "col", class: "num" }, c)), el("th", { scope: "col" }, "stable")));
  t.tBodies[0].replaceChildren(...equilibria.map((eq, i) => el("tr", { class: i === chosen ? "binding" : "" },
    el("td", {}, String(i + 1)), ...cols.map((c) => el("td", { class: "num" }, num(eq[c], 4))),
    el("td", {}, eq.stable ? "yes" : "no"))));
  const select = document.getElementById("equilibrium");
  select.replaceChildren(...equilibria.map((eq, i) => el("option", { value: i, selected: i === chosen },
    `${i + 1}: pR ${num(eq.pR, 3)} (${eq.stable ? "stable" : "unstable"})`)));
}

async function solve() {
  try {
    const result = await api("/api/game", game);
    equilibria = result.equilibria;
    const firstStable = equilibria.findIndex((e) => e.stable);
    if (chosen >= equilibria.length) chosen = Math.max(0, firstStable);
    clearFieldErrors(document.getElementById("payoffs"));
    showFieldError("game", "");
    table();
    tree(equilibria[chosen]);
    setStatus(`${equilibria.length} equilibri${equilibria.length === 1 ? "um" : "a"}`);
  } catch (error) {
    const field = errorField(error);
    if (!(field && showFieldError(field, error.message))) showFieldError("game", error.message);
  }
}

async function sweep() {
  const parameter = document.getElementById("sweep-param").value;
  const low = Number(document.getElementById("sweep-low").value);
  const high = Number(document.getElementById("sweep-high").value);
  showFieldError("sweep", "");
  try {
    const result = await api("/api/game/sweep", { game, parameter, low, high, points: 121 });
    const branches = new Map();
    for (const row of result.rows) {
      if (!branches.has(row.branch_id)) branches.set(row.branch_id, []);
      branches.get(row.branch_id).push(row);
    }
    const traces = [];
    for (const [id, rows] of branches) {
      // split each branch into stable and unstable runs so each is drawn in its own style
      for (const stable of [true, false]) {
        traces.push({
          type: "scatter", mode: "lines", name: `${rows[0].branch} (${stable ? "stable" : "unstable"})`,
          x: rows.map((r) => r.value), y: rows.map((r) => (r.stable === stable ? r.pR : null)),
          line: { dash: stable ? "solid" : "dash", width: 2 }, legendgroup: String(id), connectgaps: false,
        });
      }
    }
    traces.push({ type: "scatter", mode: "markers", name: "current", x: equilibria.map(() => game[parameter]),
      y: equilibria.map((e) => e.pR), marker: { size: 9, color: "#f0b429", line: { color: "#102a43", width: 1 } } });
    plot("chart-sweep", traces.filter((t) => t.y.some((v) => v !== null)), {
      height: 330, xaxis: { title: parameter }, yaxis: { title: "pR (B resists)", range: [0, 1] } });
  } catch (error) {
    showFieldError("sweep", error.message);
  }
}

const changed = debounce(async () => { writeUrl(); await solve(); await sweep(); }, 120);

async function init() {
  const params = readUrl();
  controls();
  const select = document.getElementById("sweep-param");
  select.replaceChildren(...PAYOFFS.map(([k]) => el("option", { value: k }, k)));
  select.value = params.get("sweep") && game[params.get("sweep")] !== undefined ? params.get("sweep") : "WB";
  const setRange = () => {
    const key = select.value;
    const centre = game[key];
    document.getElementById("sweep-low").value = key === "sigma" ? Math.max(0.05, centre / 4) : (centre - 1).toFixed(2);
    document.getElementById("sweep-high").value = key === "sigma" ? centre * 3 : (centre + 1).toFixed(2);
  };
  setRange();
  select.addEventListener("change", () => { setRange(); writeUrl(); sweep(); });
  document.getElementById("sweep-low").addEventListener("change", sweep);
  document.getElementById("sweep-high").addEventListener("change", sweep);
  document.getElementById("equilibrium").addEventListener("change", (event) => {
    chosen = Number(event.target.value); table(); tree(equilibria[chosen]);
  });
  writeUrl();
  await solve();
  await sweep();
  document.body.dataset.ready = "1";
}

init();
