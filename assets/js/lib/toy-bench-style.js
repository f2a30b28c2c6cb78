// Styles of the toy-bench figure (site.css holds no figure styles); added once
// per page by the figure module and removed with the last instance.

export const STYLE = `
.toy-bench-controls .figure-controls { margin-bottom: 0.5rem; }
.toy-bench__label { color: var(--muted); }
.toy-bench__shapes button { display: inline-flex; align-items: center; gap: 0.35rem; }
.toy-bench__thumb { display: inline-block; border-radius: 3px; background: var(--bg); }
.toy-bench__train label { display: inline-flex; align-items: center; gap: 0.35rem; }
.toy-bench__train select { padding: 0.3rem 0.4rem; }
.toy-bench__train [data-action="play"] { min-width: 5.5rem; font-weight: 600; }
.tb { display: grid; gap: 0.6rem; font-size: 0.92rem; }
.tb__readouts { display: flex; flex-wrap: wrap; justify-content: center; gap: 0.2rem 1.2rem; margin: 0;
  color: var(--muted); font-variant-numeric: tabular-nums; }
.tb__readouts b { color: var(--fg); font-weight: 600; }
.tb__views { display: grid; gap: 12px; justify-content: center; align-items: start; }
.tb[data-columns="3"] .tb__views { grid-template-columns: repeat(3, auto); }
.tb[data-columns="2"] .tb__views { grid-template-columns: repeat(2, auto); }
.tb[data-columns="2"] .tb__panel--chart { grid-column: 1 / -1; }
.tb[data-columns="1"] .tb__views { grid-template-columns: minmax(0, auto); }
.tb__panel { min-width: 0; margin: 0; }
.tb__panel canvas { margin-inline: auto; border-radius: 4px; }
.tb__panel--3d canvas { border: 1px solid var(--border); }
.tb__title { margin: 0 0 0.3rem; text-align: center; font-size: 0.85rem; font-weight: 600; color: var(--fg); }
.tb__legend, .tb__help { margin: 0.3rem 0 0; text-align: center; color: var(--muted); font-size: 0.8rem;
  line-height: 1.35; }
.tb__legend span { white-space: nowrap; margin-inline: 0.35rem; }
.tb__help { font-size: 0.76rem; }
.tb__legend--trail { max-width: 22rem; margin-inline: auto; }
.tb__key { display: inline-block; vertical-align: middle; margin-right: 0.25rem; }
.tb__key--ring { width: 0.6rem; height: 0.6rem; border: 1px solid var(--muted); border-radius: 50%; }
.tb__key--dot { width: 0.65rem; height: 0.65rem; border-radius: 50%;
  background: linear-gradient(90deg, #440154, #21918c, #fde725); }
.tb__key--line { width: 1rem; border-top: 1px solid var(--muted); }
.tb__key--run { width: 1.2rem; border-top: 2px solid var(--accent); }
.tb__key--prev { width: 1.2rem; border-top: 2px dashed var(--muted); }
.tb-strip { display: flex; flex-wrap: wrap; justify-content: center; align-items: stretch; gap: 0.4rem; margin: 0;
  font-variant-numeric: tabular-nums; }
.tb-strip__cell { display: grid; align-content: start; gap: 0.1rem; min-width: 8.5rem; padding: 0.4rem 0.6rem;
  border: 1px solid var(--border); border-radius: var(--radius, 6px); background: var(--surface, transparent);
  text-align: center; }
.tb-strip__head { display: inline-flex; justify-content: center; align-items: center; gap: 0.3rem;
  font-size: 0.8rem; font-weight: 600; }
.tb-strip__swatch { width: 0.7rem; height: 0.7rem; border-radius: 50%; border: 1px solid var(--border); }
.tb-strip__value { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85rem; }
.tb-strip__note { color: var(--muted); font-size: 0.75rem; }
.tb-strip__arrow { display: grid; align-content: center; justify-items: center; min-width: 5.5rem;
  color: var(--muted); font-size: 0.78rem; }
.tb-strip__arrow::after { content: "⟶"; font-size: 1.1rem; line-height: 1; color: var(--fg); }
.tb-strip__net { font-weight: 600; color: var(--fg); }
@media (max-width: 30rem) {
  .tb-strip__arrow { min-width: 0; flex-basis: 100%; grid-auto-flow: column; justify-content: center; gap: 0.4rem; }
  .tb-strip__arrow::after { content: "↓"; }
  .tb-strip__cell { flex-basis: 100%; }
}
`;
