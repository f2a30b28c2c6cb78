// zoo-curves: training (solid) and validation (dashed) loss per epoch of every
// zoo model in one SVG chart (d3). A linear/log toggle sets the loss axis; the
// legend's buttons (aria-pressed) show or hide models. The plot is one
// keyboard stop: Left/Right (Home/End) move a crosshair through the epochs,
// Up/Down pick the model the read-out leads with; hover and touch do the same.
// Models read from a .keras file are not plotted: a note under the legend names them (config.omitted_note).
// The chart is drawn by ./chart.js; the numbers and sentences come from ./series.js.

import { announcer } from "../../lib/announce.js";
import { createFigure, h } from "../../lib/figure.js";
import { onThemeChange } from "../../lib/theme.js";
import { createChart } from "./chart.js";
import { describeEpoch, epochCount, fmt, legendLabel, nearestAt, notesLine, rowsAt, validate } from "./series.js";

const HEIGHT = { min: 240, max: 400, ratio: 0.55 };
// the legend for line styles: solid training, dashed validation
const KEY = '<svg width="22" height="8"><line x1="1" x2="21" y1="4" y2="4" stroke="currentColor" ' +
  'stroke-width="2"/></svg>training<svg width="22" height="8" style="margin-left:0.5rem">' +
  '<line x1="1" x2="21" y1="4" y2="4" stroke="currentColor" stroke-width="1.6" stroke-dasharray="5 4"/>' +
  '</svg>validation';

const swatch = (s) => h("span", { class: "zoo-chart__swatch", style: { background: s.colour } });

/**
 * Mount the loss curves.
 * @param {HTMLElement} el the <figure>
 * @param {{series: object[], y_axis?: "log"|"linear", alt?: string, id: string}} config
 */
export async function mount(el, config) {
  const series = validate(config);
  const epochs = epochCount(series);
  const fig = createFigure(el, config);
  const { live } = fig;
  const say = announcer(el);

  // state
  const visible = new Set(series.map((s) => s.key));
  let axis = config.y_axis === "linear" ? "linear" : "log";
  let epoch = epochs; // 1-based; start at the end, where the final losses are
  let lead = 0; // index into series of the model the read-out leads with
  let hovering = false;
  let animate = false;
  let size = null;

  // DOM
  const axisLabel = h("span", { class: "zoo-chart__label", id: `${config.id}-axis`, text: "Loss axis" });
  const axisButtons = ["linear", "log"].map((name) => h("button", {
    type: "button", "data-axis": name, "aria-pressed": String(axis === name),
    title: name === "log" ? "Logarithmic loss axis: equal ratios look equal" : "Linear loss axis",
  }, name === "log" ? "Log" : "Linear"));
  const toolbar = h("div", { class: "zoo-chart__toolbar" }, axisLabel,
    h("div", { class: "zoo-chart__toggle", role: "group", "aria-labelledby": axisLabel.id }, axisButtons),
    h("span", { class: "zoo-curves__key", "aria-hidden": "true", html: KEY }));
  const svgNode = h("svg:svg", { "aria-hidden": "true" });
  const plot = h("div", {
    class: "zoo-chart__plot zoo-curves__plot", tabindex: "0", role: "group", "aria-roledescription": "chart",
    "aria-label": `${config.alt || "Loss curves"} Left and right arrow keys move through the epochs; ` +
      "up and down arrow keys choose the model read out first.",
  }, svgNode);
  const readout = h("p", { class: "zoo-chart__readout", "aria-hidden": "true" });
  const legendButtons = series.map((s) => {
    const { text, label } = legendLabel(s);
    // aria-pressed says whether the curve is shown
    return h("button", { type: "button", "aria-pressed": "true", "data-key": s.key, "aria-label": label },
      swatch(s), h("span", { text }));
  });
  const legend = h("ul", { class: "zoo-chart__legend", "aria-label": "Models: press to show or hide" },
    legendButtons.map((button) => h("li", {}, button)));
  const notes = notesLine(series);
  // models read from a .keras file (trained elsewhere) have no curve: the build names them in a note
  const omitted = config.omitted_note ? h("p", { class: "zoo-curves__notes zoo-curves__omitted",
    text: config.omitted_note }) : null;
  fig.add(h("div", { class: "zoo-chart zoo-curves" }, toolbar, plot, readout, legend,
    notes ? h("p", { class: "zoo-curves__notes", text: notes }) : null, omitted));

  const chart = createChart(svgNode, series);
  fig.onDestroy(chart.stop);
  const shown = () => series.filter((s) => visible.has(s.key));
  const view = () => ({ ...size, axis, epoch, epochs, visible, hovering, lead: series[lead],
    animate: animate && !fig.reducedMotion });

  function draw() {
    chart.draw(view());
    animate = false;
    writeReadout();
  }
  const redraw = fig.scheduler(draw);

  function writeReadout() {
    const rows = rowsAt(shown(), series[lead], epoch);
    readout.replaceChildren(h("span", { class: "zoo-curves__epoch" }, h("strong", { text: `Epoch ${epoch}` }),
      ` of ${epochs} · training / validation loss`));
    for (const { s, train, val, ended, last } of rows) {
      readout.append(h("span", { class: `zoo-curves__cell${s === series[lead] ? " is-lead" : ""}` }, swatch(s),
        h("span", { class: "zoo-curves__name", text: s.short }),
        h("span", { class: `zoo-curves__values${ended ? " is-ended" : ""}`,
          title: ended ? `${s.title} trained ${last} epochs; these are its final losses` : "",
          text: `${fmt(train)} / ${fmt(val)}${ended ? ` (ep. ${last})` : ""}` })));
    }
    if (!rows.length) readout.append(h("span", { text: "No model shown." }));
  }

  const describe = () => describeEpoch(rowsAt(shown(), series[lead], epoch), epoch, epochs);

  function setEpoch(e, { speak = true } = {}) {
    const next = Math.min(epochs, Math.max(1, Math.round(e)));
    if (next === epoch) return;
    epoch = next;
    chart.crosshair(view());
    writeReadout();
    if (speak) say(describe());
  }

  function setLead(i) {
    lead = (i + series.length) % series.length;
  }

  function nextShown(step) {
    if (!visible.size) return;
    let i = lead;
    do setLead(i += step); while (!visible.has(series[lead].key));
  }

  function setAxis(name) {
    if (name === axis) return;
    axis = name;
    axisButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.axis === axis)));
    animate = true;
    redraw.invalidate();
    say(`Loss axis: ${axis === "log" ? "logarithmic" : "linear"}.`);
  }

  function toggle(key) {
    const i = series.findIndex((s) => s.key === key);
    if (i < 0) throw new Error(`zoo-curves has no model "${key}"`);
    const show = !visible.has(key);
    if (show) visible.add(key);
    else visible.delete(key);
    legendButtons[i].setAttribute("aria-pressed", String(show));
    if (!show && lead === i) nextShown(1);
    if (show && !visible.has(series[lead].key)) setLead(i);
    animate = true;
    redraw.invalidate();
    say(`${show ? "Showing" : "Hid"} ${series[i].title}. ${visible.size} of ${series.length} models shown.`);
  }

  function hover(on) {
    hovering = on;
    redraw.invalidate();
  }

  // events
  axisButtons.forEach((b) => fig.on(b, "click", () => setAxis(b.dataset.axis)));
  legendButtons.forEach((b) => fig.on(b, "click", () => toggle(b.dataset.key)));
  fig.on(plot, "keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowLeft: epoch - 1, ArrowRight: epoch + 1, Home: 1, End: epochs, PageDown: epoch - 5,
      PageUp: epoch + 5 };
    if (event.key in moves) {
      event.preventDefault();
      const to = moves[event.key];
      if (to === epoch || to < 1 || to > epochs) say(describe());
      else setEpoch(to);
    } else if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      event.preventDefault();
      nextShown(event.key === "ArrowDown" ? 1 : -1);
      hover(true);
      say(describe());
    }
  });
  fig.on(plot, "focus", () => {
    hover(true);
    say(describe());
  });
  fig.on(plot, "blur", () => hover(false));

  function fromPointer(event) {
    const box = svgNode.getBoundingClientRect();
    setEpoch(chart.x.invert(event.clientX - box.left), { speak: false });
    // lead with the shown model whose curve passes closest to the pointer at this epoch
    const nearest = nearestAt(shown(), epoch, event.clientY - box.top, chart.y);
    const i = series.indexOf(nearest);
    if (nearest && i !== lead) {
      lead = i;
      hover(true);
    } else if (!hovering) {
      hover(true);
    }
  }
  fig.on(svgNode, "pointermove", fromPointer);
  fig.on(svgNode, "pointerdown", (event) => {
    fromPointer(event);
    say(describe());
  });
  fig.on(svgNode, "pointerleave", () => {
    if (document.activeElement !== plot) hover(false);
  });
  onThemeChange(redraw.invalidate, fig.signal);

  function measure() {
    const width = Math.max(260, live.clientWidth);
    return { width, height: Math.round(Math.min(HEIGHT.max, Math.max(HEIGHT.min, width * HEIGHT.ratio))) };
  }
  size = measure();
  fig.observeResize(live, () => {
    const next = measure();
    if (next.width === size.width && next.height === size.height) return;
    size = next;
    redraw.invalidate();
  });
  draw();
  fig.onDestroy(() => say(""));
  fig.expose({
    state: () => ({
      epoch, epochs, axis, lead: series[lead].key, visible: shown().map((s) => s.key),
      drawn: [...svgNode.querySelectorAll(".zoo-curves__series")].filter((g) => g.getAttribute("display") !== "none")
        .map((g) => g.dataset.key),
      readout: readout.textContent,
      omitted: (config.omitted || []).map((o) => o.key),
    }),
    setEpoch: (e) => {
      setEpoch(e);
      return epoch;
    },
    toggle,
    setAxis,
  });
  return fig;
}
