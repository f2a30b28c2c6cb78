// Render TeX to HTML with KaTeX at build time.
// stdin: JSON [[tex, displayMode], ...]; stdout: JSON [{html} | {error}, ...]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const katex = require(process.argv[2] || "katex");
const items = JSON.parse(readFileSync(0, "utf8"));
const out = items.map(([tex, displayMode]) => {
  try {
    return { html: katex.renderToString(tex, { displayMode, throwOnError: true, output: "htmlAndMathml" }) };
  } catch (error) {
    return { error: String(error.message || error) };
  }
});
process.stdout.write(JSON.stringify(out));
