// The package's one file: the client with openapi-fetch bundled in, minified (ESM, for
// browsers and Node 20+). `npm run build` also writes its types (tsc).
import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

await build({
  entryPoints: ["src/index.ts"],
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  platform: "neutral",
  outfile: "dist/index.js",
  legalComments: "none",
});
mkdirSync("dist", { recursive: true });
copyFileSync("src/schema.d.ts", "dist/schema.d.ts"); // the types index.d.ts names
