// ESLint for the project's JavaScript (`npm run lint:js`; `make test` runs it):
// ESLint's recommended rules plus a few that catch real bugs, and the figure kit's
// limits (a module stays under 350 lines; a figure kind imports shared parts from
// lib/, never another kind's files). Formatting is left alone.
import js from "@eslint/js";
import globals from "globals";
import { defineConfig, globalIgnores } from "eslint/config";

// Browser globals that are easy to use by mistake for a missing local (`event`, `name`, `status`...).
const CONFUSING_BROWSER_GLOBALS = [
  "blur", "close", "closed", "event", "external", "find", "focus", "frames", "length", "name", "onerror",
  "open", "opener", "origin", "parent", "print", "screen", "scroll", "status", "stop", "top",
].map((name) => ({ name, message: `Use a local variable or window.${name} explicitly.` }));

export default defineConfig([
  globalIgnores([".venv/", ".cache/", "_site/", "_site.*/", "bench/results/", "explorables.egg-info/"]),
  js.configs.recommended,
  {
    name: "explorables/bugs",
    languageOptions: { ecmaVersion: "latest", sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none",
                                     ignoreRestSiblings: true }],
      eqeqeq: ["error", "smart"],
      // `const h = canvas.height` inside a figure that also calls h("div") from the kit is a TypeError at run time.
      "no-shadow": ["error", { builtinGlobals: false, hoist: "functions", ignoreOnInitialization: true }],
      "no-use-before-define": ["error", { functions: false, classes: true, variables: true }],
      "array-callback-return": "error",
      "no-self-compare": "error",
      "no-template-curly-in-string": "error",
      "no-unreachable-loop": "error",
    },
  },
  {
    name: "explorables/browser",
    files: ["assets/js/**/*.js", "tests/browser/**/*.js"],
    languageOptions: { globals: { ...globals.browser } },
    rules: { "no-restricted-globals": ["error", ...CONFUSING_BROWSER_GLOBALS] },
  },
  {
    name: "explorables/workers",
    files: ["assets/js/**/*worker*.js"],
    languageOptions: { globals: { ...globals.worker } },
    rules: { "no-restricted-globals": "off" },
  },
  {
    name: "explorables/figure-kit",
    files: ["assets/js/**/*.js"],
    rules: {
      // The limit: a module that grows past it is split into parts beside its index.js.
      "max-lines": ["error", { max: 350, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    name: "explorables/figure-kinds",
    files: ["assets/js/figures/**/*.js"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{
          regex: "^\\.\\./(?!\\.\\./lib/)",
          message: "A figure kind imports its own parts with ./ and shared ones from ../../lib/, never another kind's files.",
        }],
      }],
    },
  },
  {
    name: "explorables/node",
    files: ["**/*.mjs", "tests/node/**/*.js", "eslint.config.js"],
    languageOptions: { globals: { ...globals.node } },
  },
]);
