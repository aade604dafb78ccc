// Controls generated from the scenario's JSON Schema (src/coercive/policy/scenario.schema.json).
//
// Every field of the schema becomes a labelled control: a slider with a number box for a
// bounded number, a number box for an unbounded one, a select for an enum, a checkbox for a
// boolean, a text box for a string, and for an *uncertain* number (a number or a
// distribution) a family select with one control per parameter. Nothing here names a
// scenario field: new fields in the schema get controls without changes to this file.

import { el, errorBox, num } from "./common.js";

// Units, read from the schema's descriptions (the schema states them in words there).
const UNITS = [
  [/GDP-years/, "GDP-years"],
  [/stakes units/, "stakes units"],
  [/billions of US dollars/, "US$ bn"],
  [/\bin months\b|\bmonths\b/, "months"],
  [/\bYears over\b|\byears\b/i, "years"],
  [/\(0-1|share|0 = /i, "share 0–1"],
];

export function unitOf(description) {
  for (const [pattern, unit] of UNITS) if (pattern.test(description || "")) return unit;
  return "";
}

export class SchemaForm {
  constructor(schema, onChange) {
    this.schema = schema;
    this.onChange = onChange;
    this.uid = 0;
  }

  deref(node) {
    let current = node || {};
    while (current.$ref) current = this.schema.$defs[current.$ref.split("/").pop()];
    return current;
  }

  classify(node) {
    const target = this.deref(node);
    if (target.anyOf) {
      const members = target.anyOf.map((m) => this.deref(m));
      const present = members.filter((m) => m.type !== "null");
      const nullable = present.length < members.length;
      const number = present.find((m) => m.type === "number" || m.type === "integer");
      const dist = present.find((m) => m.type === "object" && m.properties && m.properties.dist);
      if (number && dist) return { kind: "uncertain", number, dist, nullable };
      if (present.length === 1) return { ...this.classify(present[0]), nullable };
      return { kind: "json", nullable };
    }
    if (target.enum) return { kind: "select", options: target.enum, nullable: false };
    if (target.const !== undefined) return { kind: "const", nullable: false };
    if (target.type === "boolean") return { kind: "bool", nullable: false };
    if (target.type === "number" || target.type === "integer") {
      return { kind: "number", number: target, nullable: false };
    }
    if (target.type === "string") return { kind: "string", nullable: false };
    if (target.type === "array") {
      const items = this.deref(target.items);
      if (items.type === "object" && items.properties) return { kind: "objects", items };
      return { kind: "strings" };
    }
    if (target.type === "object" && target.properties) return { kind: "object", node: target };
    if (target.type === "object" && target.additionalProperties) {
      return { kind: "map", item: target.additionalProperties };
    }
    return { kind: "json", nullable: false };
  }

  // The whole form: one collapsible group per top-level section, loose fields in "Case".
  build(container, data) {
    const root = this.deref(this.schema);
    const loose = el("div", { class: "group-body" });
    const groups = [];
    for (const [name, prop] of Object.entries(root.properties)) {
      const info = this.classify(prop);
      if (info.kind === "object") {
        const body = el("div", { class: "group-body" });
        this.fields(body, info.node, data[name] || {}, name);
        groups.push(el("details", { class: "group", open: name === "instruments" },
          el("summary", {}, this.title(prop, name)), body));
      } else {
        loose.append(this.field(name, prop, data[name], info));
      }
    }
    container.replaceChildren(
      el("details", { class: "group" }, el("summary", {}, "Case"), loose), ...groups);
  }

  title(prop, name) {
    const target = this.deref(prop);
    return prop.title || target.title || name.replaceAll("_", " ");
  }

  description(prop) {
    return prop.description || this.deref(prop).description || "";
  }

  fields(container, node, data, prefix) {
    for (const [name, prop] of Object.entries(node.properties || {})) {
      const path = `${prefix}.${name}`;
      const info = this.classify(prop);
      const value = data ? data[name] : undefined;
      if (info.kind === "object") {
        const box = el("fieldset", { class: "section" }, el("legend", {}, this.title(prop, name)));
        this.fields(box, info.node, value || {}, path);
        container.append(box);
      } else {
        container.append(this.field(path, prop, value, info));
      }
    }
  }

  field(path, prop, value, info = this.classify(prop)) {
    const name = path.split(".").pop();
    const title = this.title(prop, name);
    const help = this.description(prop);
    const unit = unitOf(help);
    const id = `f-${path}`;
    const helpId = `h-${path}`;
    const wrap = el("div", { class: `field kind-${info.kind}`, "data-path": path });
    const label = el("label", { for: id }, title, unit ? el("span", { class: "unit" }, ` (${unit})`) : null);
    const emit = (v) => this.onChange(path, v);

    if (info.kind === "objects") {
      const box = el("fieldset", { class: "section" }, el("legend", {}, title));
      (value || []).forEach((item, index) => {
        const sub = el("fieldset", { class: "item" },
          el("legend", {}, item && item.name ? String(item.name) : `${title} ${index + 1}`));
        this.fields(sub, info.items, item, `${path}.${index}`);
        box.append(sub);
      });
      if (help) box.append(el("small", { class: "help" }, help));
      return box;
    }
    if (info.kind === "map") {
      const box = el("fieldset", { class: "section" }, el("legend", {}, title));
      if (help) box.append(el("small", { class: "help" }, help));
      for (const [key, item] of Object.entries(value || {})) {
        box.append(this.field(`${path}.${key}`, { ...info.item, title: key }, item));
      }
      return box;
    }

    const range = info.number ? bounds(info.number) : null;
    const rangeText = range ? rangeWords(range) : "";
    const helpText = [help, rangeText].filter(Boolean).join(" ");
    wrap.append(label);
    const body = el("div", { class: "control" });
    wrap.append(body, helpText ? el("small", { class: "help", id: helpId }, helpText) : null,
      errorBox(path));
    const described = helpText ? helpId : null;

    if (info.kind === "select") {
      const select = el("select", { id, "aria-describedby": described, "data-error-for": path,
        onchange: () => emit(select.value) },
        ...info.options.map((o) => el("option", { value: o, selected: o === value }, o)));
      body.append(select);
    } else if (info.kind === "bool") {
      const box = el("input", { type: "checkbox", id, "aria-describedby": described,
        "data-error-for": path, checked: value === true, onchange: () => emit(box.checked) });
      body.append(box);
    } else if (info.kind === "const") {
      body.append(el("input", { id, value: String(value), readonly: true, "aria-describedby": described }));
    } else if (info.kind === "string") {
      const input = el("input", { type: "text", id, value: value ?? "", "aria-describedby": described,
        "data-error-for": path, onchange: () => emit(input.value === "" && info.nullable ? null : input.value) });
      body.append(input);
    } else if (info.kind === "strings") {
      const area = el("textarea", { id, rows: Math.min(6, Math.max(2, (value || []).length)),
        "aria-describedby": described, "data-error-for": path,
        onchange: () => emit(area.value.split("\n").map((s) => s.trim()).filter(Boolean)) });
      area.value = (value || []).join("\n");
      body.append(area, el("small", { class: "help" }, "one per line"));
    } else if (info.kind === "number" || info.kind === "uncertain") {
      this.numeric(body, id, path, title, info, range, value, described, emit);
    } else {
      const area = el("textarea", { id, rows: 3, "aria-describedby": described, "data-error-for": path,
        onchange: () => { try { emit(JSON.parse(area.value)); } catch { emit(area.value); } } });
      area.value = JSON.stringify(value ?? null);
      body.append(area);
    }
    return wrap;
  }

  numeric(body, id, path, title, info, range, value, described, emit) {
    const integer = info.number.type === "integer";
    const holder = el("div", { class: "numeric" });
    let current = value;
    let family = null;
    const familySelect = info.kind === "uncertain"
      ? el("select", { id: `${id}--dist`, "aria-label": `${title}: fixed value or distribution`,
          onchange: () => { current = convert(current, familySelect.value, range); redraw(); emit(clean(current)); } },
          ...["fixed", "uniform", "triangular", "normal"].map((f) => el("option", { value: f }, f)))
      : null;
    const none = info.nullable
      ? el("input", { type: "checkbox", id: `${id}--none`, checked: value === null || value === undefined,
          onchange: () => {
            current = none.checked ? null : fallback(range);
            redraw();
            emit(clean(current));
          } })
      : null;

    const redraw = () => {
      holder.replaceChildren();
      const isNull = current === null || current === undefined;
      if (familySelect) {
        familySelect.disabled = isNull;
        family = isNull ? "fixed" : familyOf(current);
        familySelect.value = family;
      }
      if (isNull) { holder.append(el("span", { class: "muted" }, "none")); return; }
      if (typeof current === "number") {
        holder.append(this.slider(id, title, range, integer, current, described, path, (v) => {
          current = v; emit(clean(current));
        }));
        return;
      }
      const params = family === "normal" ? ["mean", "sd"]
        : family === "triangular" ? ["low", "mode", "high"] : ["low", "high"];
      for (const param of params) {
        const paramRange = param === "sd" && range ? [0, range[1] - range[0], true, false] : range;
        holder.append(this.slider(`${id}-${param}`, `${title}: ${param}`, paramRange, integer,
          current[param], described, param === params[0] ? path : null, (v) => {
            current = ordered({ ...current, [param]: v }, param);
            for (const other of params) {
              if (other !== param) setSlider(holder, `${id}-${other}`, current[other]);
            }
            emit(clean(current));
          }, param));
      }
    };
    if (familySelect) body.append(familySelect);
    if (none) body.append(el("label", { class: "none", for: `${id}--none` }, none, " none"));
    body.append(holder);
    redraw();
  }

  slider(id, title, range, integer, value, described, errorFor, onValue, param = null) {
    const row = el("div", { class: "slider-row" });
    if (param) row.append(el("label", { class: "param", for: id }, param));
    const finite = range && Number.isFinite(range[0]) && Number.isFinite(range[1]);
    const step = integer ? 1 : finite ? (range[1] - range[0]) / 100 : "any";
    const number = el("input", { type: "number", step: integer ? 1 : "any",
      "aria-label": finite ? `${title} (value)` : null, id: finite ? `${id}--value` : id,
      "aria-describedby": described, "data-error-for": errorFor,
      min: range && Number.isFinite(range[0]) ? range[0] : null,
      max: range && Number.isFinite(range[1]) ? range[1] : null });
    number.value = value ?? "";
    if (finite) {
      const slider = el("input", { type: "range", id, min: range[0], max: range[1], step,
        "aria-describedby": described, "aria-valuetext": num(value) });
      slider.value = value;
      slider.addEventListener("input", () => {
        const v = Number(slider.value);
        number.value = num(v, 4);
        slider.setAttribute("aria-valuetext", num(v));
        onValue(v);
      });
      row.append(slider);
    }
    number.addEventListener("change", () => {
      if (number.value === "") return;
      const v = Number(number.value);
      const slider = finite ? row.querySelector("input[type=range]") : null;
      if (slider) slider.value = v;
      onValue(v);
    });
    row.append(number);
    return row;
  }
}

function setSlider(holder, id, value) {
  const slider = holder.querySelector(`[id="${id}"]`);
  const number = holder.querySelector(`[id="${id}--value"]`);
  if (slider) slider.value = value;
  if (number) number.value = num(value, 4);
}

// [low, high, lowInclusive, highInclusive] of a number schema, or null when unbounded below/above.
function bounds(node) {
  const low = node.minimum ?? node.exclusiveMinimum;
  const high = node.maximum ?? node.exclusiveMaximum;
  if (low === undefined && high === undefined) return null;
  return [low ?? -Infinity, high ?? Infinity, node.minimum !== undefined, node.maximum !== undefined];
}

function rangeWords(range) {
  const [low, high, lowIn, highIn] = range;
  const left = Number.isFinite(low) ? `${lowIn ? "≥" : ">"} ${low}` : "";
  const right = Number.isFinite(high) ? `${highIn ? "≤" : "<"} ${high}` : "";
  return `Allowed: ${[left, right].filter(Boolean).join(" and ")}.`;
}

function fallback(range) {
  if (!range) return 0;
  const [low, high] = range;
  if (Number.isFinite(low) && Number.isFinite(high)) return (low + high) / 2;
  return Number.isFinite(low) ? low + 1 : Number.isFinite(high) ? high - 1 : 0;
}

function familyOf(value) {
  if (typeof value === "number") return "fixed";
  return value.dist || "uniform";
}

function centre(value) {
  if (typeof value === "number") return value;
  if (value.dist === "normal") return value.mean;
  if (value.dist === "triangular") return value.mode;
  return (value.low + value.high) / 2;
}

function convert(value, family, range) {
  const mid = centre(value);
  const low = typeof value === "object" && value.low !== null && value.low !== undefined ? value.low : mid;
  const high = typeof value === "object" && value.high !== null && value.high !== undefined ? value.high : mid;
  if (family === "fixed") return mid;
  if (family === "uniform") return { dist: "uniform", low, high };
  if (family === "triangular") return { dist: "triangular", low, mode: mid, high };
  const width = range && Number.isFinite(range[1] - range[0]) ? (range[1] - range[0]) / 20 : 0.1;
  return { dist: "normal", mean: mid, sd: Math.max((high - low) / 4, width / 10) || width };
}

// Keep low <= mode <= high when one parameter moves past another (the moved one wins).
function ordered(value, moved) {
  const v = { ...value };
  if (v.dist === "normal") return v;
  if (v.low > v.high) { if (moved === "low") v.high = v.low; else v.low = v.high; }
  if (v.dist === "triangular") {
    if (v.mode < v.low) { if (moved === "mode") v.low = v.mode; else v.mode = v.low; }
    if (v.mode > v.high) { if (moved === "mode") v.high = v.mode; else v.mode = v.high; }
  }
  return v;
}

// A distribution without the unused (null) parameters, as a scenario file would write it.
export function clean(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) if (item !== null && item !== undefined) out[key] = item;
  return out;
}
