// src/schema.d.ts, generated from openapi.yaml by openapi-typescript: `node schema.mjs`
// writes it, `node schema.mjs --check` fails when it is older than openapi.yaml.
import { readFileSync, writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";

const target = new URL("src/schema.d.ts", import.meta.url);
const header = "// Generated from openapi.yaml by openapi-typescript (node schema.mjs): do not edit.\n";
const current = header + astToString(await openapiTS(new URL("../../openapi.yaml", import.meta.url)));
if (!process.argv.includes("--check")) {
  writeFileSync(target, current);
} else if (readFileSync(target, "utf8") !== current) {
  console.error("src/schema.d.ts is older than openapi.yaml: run `npm run generate` in clients/js");
  process.exit(1);
}
