// Builds the browser bundles into static/build/ (generated, never committed):
//   designer.js + designer.css  the designer page
//   viewer.js + viewer.css      the live execution viewer (static/src/viewer/)
//   graph.js + graph.css        the shared state graph alone
//   chunk-*.js                  what those share, and what loads only when needed:
//                               ELK (a machine without stored positions) and
//                               html-to-image (exporting a picture)
//   lists.js                    live executions list and approval inbox (no React;
//                               one classic script, so pages load it with a plain <script>)
// The pages load designer.js, viewer.js and graph.js as ES modules (<script type="module">):
// the viewer page downloads none of the editor's code.
// `npm run build` (minified) or `npm run watch`. Prints sizes, and what each page loads.
import * as esbuild from "esbuild";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const outdir = join(root, "static/build");
const watch = process.argv.includes("--watch");

const common = {
  outdir,
  bundle: true,
  target: ["es2020"],
  jsx: "automatic",
  minify: !watch,
  sourcemap: watch ? "inline" : false,
  legalComments: "none",
  define: { "process.env.NODE_ENV": JSON.stringify(watch ? "development" : "production") },
  logLevel: "warning",
};

const builds = [
  {
    ...common,
    entryPoints: {
      designer: join(root, "static/src/designer/main.jsx"),
      viewer: join(root, "static/src/viewer/main.jsx"),
      graph: join(root, "static/src/graph/mount.jsx"),
    },
    format: "esm",
    splitting: true,
    metafile: true,
  },
  { ...common, entryPoints: { lists: join(root, "static/src/viewer/lists.js") }, format: "iife" },
];

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const gzipped = (name) => gzipSync(readFileSync(join(outdir, name)), { level: 9 }).length;

// What a page downloads up front: its entry and the chunks it imports statically.
function upFront(metafile, entry) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of metafile.outputs[path].imports) if (i.kind === "import-statement") visit(i.path);
  };
  visit(Object.keys(metafile.outputs).find((p) => p.endsWith(`/${entry}.js`)));
  return [...seen].map((p) => p.split("/").pop());
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log("watching static/src/ ...");
} else {
  rmSync(outdir, { recursive: true, force: true });
  const [modules] = await Promise.all(builds.map((options) => esbuild.build(options)));
  for (const name of readdirSync(outdir).sort()) {
    const bytes = readFileSync(join(outdir, name)).length;
    console.log(`${name.padEnd(24)} ${kib(bytes).padStart(11)}  ${kib(gzipped(name)).padStart(10)} gzipped`);
  }
  for (const page of ["designer", "viewer"]) {
    const files = upFront(modules.metafile, page);
    const total = files.reduce((sum, name) => sum + gzipped(name), 0) + gzipped(`${page}.css`);
    console.log(`${page} page up front: ${kib(total)} gzipped (${files.length} scripts + ${page}.css)`);
  }
}
