// Builds the browser bundles into static/build/ (generated, never committed):
//   designer.js + designer.css  the designer page
//   graph.js + graph.css        the shared state graph alone
//   viewer.js + viewer.css      the live execution viewer (static/src/viewer/)
//   lists.js                    live executions list and approval inbox (no React)
// `npm run build` (minified) or `npm run watch`. Prints gzipped sizes.
import * as esbuild from "esbuild";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const outdir = join(root, "static/build");
const watch = process.argv.includes("--watch");

const options = {
  entryPoints: {
    designer: join(root, "static/src/designer/main.jsx"),
    graph: join(root, "static/src/graph/mount.jsx"),
    viewer: join(root, "static/src/viewer/main.jsx"),
    lists: join(root, "static/src/viewer/lists.js"),
  },
  outdir,
  bundle: true,
  format: "iife",
  target: ["es2020"],
  jsx: "automatic",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  legalComments: "none",
  define: { "process.env.NODE_ENV": JSON.stringify(watch ? "development" : "production") },
  logLevel: "warning",
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log("watching static/src/ ...");
} else {
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build(options);
  let total = 0;
  for (const name of readdirSync(outdir).sort()) {
    const bytes = readFileSync(join(outdir, name));
    const gz = gzipSync(bytes, { level: 9 }).length;
    if (name.startsWith("designer")) total += gz;
    console.log(`${name.padEnd(16)} ${(bytes.length / 1024).toFixed(1).padStart(8)} KiB  ${(gz / 1024).toFixed(1).padStart(7)} KiB gzipped`);
  }
  console.log(`designer page total: ${(total / 1024).toFixed(1)} KiB gzipped`);
}
