// A small 3-D point view on a 2-D canvas for the toy shapes of article 2
// (used by toy-views, toy-snapshots and toy-bench). Orthographic projection,
// z is "up" on screen, painter's order by depth, a faint set of axes for depth
// cues. It rotates only when the reader asks: a horizontal drag turns it (on a
// touch screen a vertical swipe still scrolls the page), a vertical drag with
// a mouse or pen tilts it, and so does a drag on the tilt handle in its top
// right corner, with one finger too (the handle alone takes the touch from the
// page); the arrow keys do both. It never orbits by itself, so there is
// nothing to stop under reduced motion. Drawing is on demand (the figure's
// frame scheduler: at most once per frame); listeners end with the figure.
//
//   import { createView3d } from "../../lib/toy-3d.js";
//   const view = createView3d(fig, canvas, {
//     points,            // Float32Array/Array of x,y,z interleaved (n*3), in about [-1, 1]
//     colours,           // n CSS colours (e.g. rampColours(values) from toy-colour.js), or
//     values,            // n numbers in [0, 1] mapped through the shared viridis ramp
//     ghost,             // optional second cloud (m*3) drawn faintly behind, e.g. the input
//     ghostColour,       // CSS colour of the ghost (default: the theme's muted colour)
//     links,             // true: a faint segment from ghost[i] to points[i] (needs m == n)
//     width, height,     // CSS pixels (call resize(w, h) later to change)
//     yaw, pitch,        // initial angles in radians (default 0.6, 0.35)
//     radius,            // point radius in CSS px (default scales with the view, 2-4.5)
//     axes,              // draw the x/y/z axes (default true)
//     keys,              // arrow keys on the focused canvas rotate it (default true; sets tabindex=0)
//     label,             // aria-label of the canvas (role="img")
//     theme,             // {fg, muted, bg, border}; default readTheme(canvas)
//     onHover(i, how),   // nearest point under the pointer (null when none); how = "hover" | "tap"
//     onRotate({yaw, pitch}),
//   });
//   panel.append(view.element);   // the canvas with its tilt handle (class "toy-3d", styled by css/toy.css)
//   view.setPoints(p); view.setGhost(g); view.setColours(c); view.setValues(v);
//   view.setHighlight(i | null); view.rotate(dYaw, dPitch); view.setAngles(yaw, pitch);
//   view.getAngles(); view.resize(w, h); view.setTheme(t); view.project(i) -> {x, y} in CSS px;
//   view.pick(clientX, clientY) -> index | null; view.draw() (immediate).
//
// The scene's scale is fixed from the first points given (the largest distance
// from the origin, at least 1) so the frame never "breathes" as points change;
// call view.refit() to recompute it on purpose.

import { h } from "./figure.js";
import { fitCanvas } from "./hidpi-canvas.js";
import { readTheme } from "./theme.js";
import { rampCSS } from "./toy-colour.js";
import { dragPointer, drawHighlight, hoverPoints, nearestPoint } from "./toy-points.js";

const PITCH_LIMIT = 1.45;
const TURN_PER_PX = 0.012; // radians per CSS px of drag
const AXES = [
  [[-1, 0, 0], [1, 0, 0], "x"],
  [[0, -1, 0], [0, 1, 0], "y"],
  [[0, 0, -1], [0, 0, 1], "z"],
];

function toArray(points) {
  return points ? Float32Array.from(points) : new Float32Array(0);
}

function extentOf(...clouds) {
  let r = 1;
  for (const c of clouds) {
    for (let i = 0; i + 2 < c.length; i += 3) r = Math.max(r, Math.hypot(c[i], c[i + 1], c[i + 2]));
  }
  return r;
}

/**
 * Create a rotatable 3-D scatter on `canvas`, drawn and listening for as long as `fig` lives.
 * See the file header for options.
 * @param {ReturnType<import("./figure.js").createFigure>} fig
 * @param {HTMLCanvasElement} canvas @param {object} options
 */
export function createView3d(fig, canvas, options = {}) {
  const state = {
    points: toArray(options.points),
    ghost: toArray(options.ghost),
    colours: null,
    ghostColour: options.ghostColour || null,
    links: Boolean(options.links),
    width: options.width || 240,
    height: options.height || 240,
    yaw: options.yaw ?? 0.6,
    pitch: options.pitch ?? 0.35,
    radius: options.radius || null,
    axes: options.axes !== false,
    theme: options.theme || readTheme(canvas),
    highlight: null,
    extent: 1,
    projected: new Float32Array(0),
  };
  state.extent = extentOf(state.points, state.ghost);
  const frame = fig.scheduler(draw);
  const schedule = () => frame.invalidate();

  function setColours(colours) {
    state.colours = colours ? Array.from(colours) : null;
    schedule();
  }
  if (options.colours) setColours(options.colours);
  else if (options.values) setColours(Array.from(options.values, (t) => rampCSS(t)));

  canvas.setAttribute("role", "img");
  if (options.label) canvas.setAttribute("aria-label", options.label);
  if (options.keys !== false && !canvas.hasAttribute("tabindex")) canvas.tabIndex = 0;
  canvas.style.touchAction = "pan-y"; // horizontal drags turn the view; vertical swipes still scroll the page
  canvas.style.cursor = "grab";

  // ---- projection -------------------------------------------------------
  function scale() {
    return (Math.min(state.width, state.height) / 2 - 10) / (state.extent * 1.04);
  }

  /** Screen position (CSS px) and depth (larger = farther) of world point (x, y, z). */
  function projectXYZ(x, y, z) {
    const cy = Math.cos(state.yaw), sy = Math.sin(state.yaw);
    const cp = Math.cos(state.pitch), sp = Math.sin(state.pitch);
    const xr = x * cy - y * sy;
    const yr = x * sy + y * cy;
    const up = z * cp + yr * sp;
    const depth = yr * cp - z * sp;
    const s = scale();
    return [state.width / 2 + xr * s, state.height / 2 - up * s, depth / state.extent];
  }

  function projectAll(cloud) {
    const n = Math.floor(cloud.length / 3);
    const out = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) out.set(projectXYZ(cloud[3 * i], cloud[3 * i + 1], cloud[3 * i + 2]), 3 * i);
    return out;
  }

  // ---- drawing ----------------------------------------------------------
  function pointRadius() {
    if (state.radius) return state.radius;
    return Math.max(2, Math.min(4.5, Math.min(state.width, state.height) / 70));
  }

  function drawAxes(ctx) {
    const { muted } = state.theme;
    ctx.lineWidth = 1;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (const [a, b, name] of AXES) {
      const p = projectXYZ(...a), q = projectXYZ(...b);
      ctx.strokeStyle = muted;
      ctx.globalAlpha = 0.35;
      ctx.beginPath();
      ctx.moveTo(p[0], p[1]);
      ctx.lineTo(q[0], q[1]);
      ctx.stroke();
      ctx.globalAlpha = 0.9;
      ctx.fillStyle = muted;
      const dx = q[0] - state.width / 2, dy = q[1] - state.height / 2;
      const len = Math.hypot(dx, dy) || 1;
      ctx.fillText(name, q[0] + (dx / len) * 8, q[1] + (dy / len) * 8);
    }
    ctx.globalAlpha = 1;
  }

  /** Ghosts and points in one painter's list, far first. */
  function drawClouds(ctx, ghost, pts, r) {
    const { fg, muted } = state.theme;
    const n = pts.length / 3, m = ghost.length / 3;
    const order = [];
    for (let i = 0; i < m; i++) order.push(-1 - i);
    for (let i = 0; i < n; i++) order.push(i);
    const depthOf = (k) => (k < 0 ? ghost[3 * (-1 - k) + 2] : pts[3 * k + 2]);
    order.sort((a, b) => depthOf(b) - depthOf(a));
    ctx.lineWidth = 0.75;
    for (const k of order) {
      const ghostPoint = k < 0;
      const i = ghostPoint ? -1 - k : k;
      const src = ghostPoint ? ghost : pts;
      const x = src[3 * i], y = src[3 * i + 1], d = src[3 * i + 2];
      const rr = r * (1 - 0.18 * Math.max(-1, Math.min(1, d)));
      ctx.beginPath();
      ctx.arc(x, y, ghostPoint ? rr * 0.8 : rr, 0, 2 * Math.PI);
      if (ghostPoint) {
        ctx.globalAlpha = 0.5;
        ctx.strokeStyle = state.ghostColour || muted;
        ctx.stroke();
      } else {
        ctx.fillStyle = state.colours ? state.colours[i] || fg : fg;
        ctx.globalAlpha = 0.95 - 0.2 * Math.max(0, d);
        ctx.fill();
        ctx.globalAlpha = 0.35;
        ctx.strokeStyle = fg;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }
  }

  function draw() {
    const { ctx } = fitCanvas(canvas, state.width, state.height);
    const { fg, muted } = state.theme;
    ctx.clearRect(0, 0, state.width, state.height);
    ctx.lineCap = "round";
    if (state.axes) drawAxes(ctx);

    const r = pointRadius();
    const ghost = projectAll(state.ghost);
    const pts = projectAll(state.points);
    state.projected = pts;
    const n = pts.length / 3, m = ghost.length / 3;

    if (state.links && m === n) {
      ctx.strokeStyle = muted;
      ctx.globalAlpha = 0.45;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        ctx.moveTo(ghost[3 * i], ghost[3 * i + 1]);
        ctx.lineTo(pts[3 * i], pts[3 * i + 1]);
      }
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    drawClouds(ctx, ghost, pts, r);

    const hi = state.highlight;
    if (hi !== null && hi >= 0 && hi < n) {
      const x = pts[3 * hi], y = pts[3 * hi + 1];
      if (hi < m) { // a dashed line to its input, and a ring round the input
        ctx.strokeStyle = fg;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(ghost[3 * hi], ghost[3 * hi + 1]);
        ctx.lineTo(x, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.arc(ghost[3 * hi], ghost[3 * hi + 1], r * 1.4, 0, 2 * Math.PI);
        ctx.stroke();
      }
      drawHighlight(ctx, x, y, r, state.colours ? state.colours[hi] : fg, state.theme);
    }
  }

  // ---- interaction ------------------------------------------------------
  function pick(clientX, clientY) {
    const rect = canvas.getBoundingClientRect();
    const pts = state.projected.length ? state.projected : projectAll(state.points);
    // of two overlapping points the nearer (smaller depth) wins
    return nearestPoint(pts.length / 3, (i) => pts.subarray(3 * i, 3 * i + 3),
      clientX - rect.left, clientY - rect.top, pointRadius() + 8);
  }

  function rotate(dYaw, dPitch = 0) {
    state.yaw += dYaw;
    state.pitch = Math.max(-PITCH_LIMIT, Math.min(PITCH_LIMIT, state.pitch + dPitch));
    schedule();
    options.onRotate?.({ yaw: state.yaw, pitch: state.pitch });
  }

  // the canvas: drag to turn (a touch turns only: its vertical swipes scroll the page), tap to pick
  const dragging = dragPointer(fig, canvas, {
    threshold: 4,
    move(dx, dy, event) {
      canvas.style.cursor = "grabbing";
      rotate(dx * TURN_PER_PX, event.pointerType === "touch" ? 0 : dy * TURN_PER_PX);
    },
    end(event, moved) {
      canvas.style.cursor = "grab";
      if (!moved && event.type === "pointerup") options.onHover?.(pick(event.clientX, event.clientY), "tap");
    },
  });
  hoverPoints(fig, canvas, pick, options.onHover, dragging);

  // the tilt handle: a vertical drag tilts, with one finger too (touch-action: none here only);
  // hidden from assistive technology, which has the canvas's arrow keys
  const handle = h("div", { class: "toy-3d__tilt", "aria-hidden": "true", title: "Drag up or down to tilt the view" },
    h("svg:svg", { viewBox: "0 0 16 16", width: 16, height: 16, focusable: "false" },
      h("svg:path", { d: "M8 1.5 12.5 6.5h-9zM8 14.5 3.5 9.5h9z" })));
  handle.style.touchAction = "none";
  dragPointer(fig, handle, {
    threshold: 0,
    move(dx, dy) {
      handle.classList.add("is-dragging");
      rotate(0, dy * TURN_PER_PX);
    },
    end() { handle.classList.remove("is-dragging"); },
  });
  const element = h("div", { class: "toy-3d" }, canvas, handle);

  if (options.keys !== false) {
    fig.on(canvas, "keydown", (event) => {
      const step = event.shiftKey ? 0.4 : 0.12;
      const turn = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[event.key];
      if (!turn || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      rotate(turn[0], turn[1]);
    });
  }

  schedule();

  return {
    /** The canvas and its tilt handle, to place in the figure. */
    element,
    canvas,
    setPoints(points) { state.points = toArray(points); schedule(); },
    setGhost(ghost) { state.ghost = toArray(ghost); schedule(); },
    setColours,
    setValues(values) { setColours(Array.from(values, (t) => rampCSS(t))); },
    setHighlight(index) { state.highlight = index ?? null; schedule(); },
    getHighlight() { return state.highlight; },
    rotate,
    setAngles(yaw, pitch) { state.yaw = yaw; state.pitch = Math.max(-PITCH_LIMIT, Math.min(PITCH_LIMIT, pitch)); schedule(); },
    getAngles() { return { yaw: state.yaw, pitch: state.pitch }; },
    resize(width, height) { state.width = width; state.height = height; schedule(); },
    setTheme(theme) { state.theme = theme || readTheme(canvas); schedule(); },
    refit() { state.extent = extentOf(state.points, state.ghost); schedule(); },
    project(i) { const p = projectXYZ(state.points[3 * i], state.points[3 * i + 1], state.points[3 * i + 2]); return { x: p[0], y: p[1] }; },
    pick,
    draw,
  };
}
