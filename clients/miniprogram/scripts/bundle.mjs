// The package's files: esbuild bundles src/index.ts (graphql-ws inside, `graphql` never) and
// src/operations.ts, each as CommonJS (dist/*.js: native mini-programs, WeChat's npm build)
// and as an ES module (dist/*.mjs: Taro, uni-app), ES2017, minified; tsc writes the types.
// Prints and records (dist/size.json) each file's size minified and gzipped.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

import { parse } from "acorn";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });
mkdirSync(`${root}dist`, { recursive: true });

const banner =
  "/*! @quanzi/miniprogram. Bundles graphql-ws (MIT, (c) Denis Badurina; see graphql-ws.LICENSE). */";
const sizes = {};
for (const entry of ["index", "operations"]) {
  for (const [format, extension] of [
    ["cjs", "js"],
    ["esm", "mjs"],
  ]) {
    const outfile = `${root}dist/${entry}.${extension}`;
    await build({
      entryPoints: [`${root}src/${entry}.ts`],
      bundle: true,
      format,
      platform: "neutral",
      mainFields: ["module", "main"],
      conditions: ["import", "browser"],
      target: "es2017",
      minify: true,
      legalComments: "eof",
      banner: { js: banner },
      external: ["graphql"],
      outfile,
      logLevel: "warning",
    });
    const code = readFileSync(outfile);
    if (/require\(["']graphql["']\)|from ["']graphql["']/.test(code.toString())) {
      throw new Error(`${outfile} imports graphql at run time`);
    }
    // What the mini-program runtime takes: ES2017 and nothing newer.
    parse(code.toString(), { ecmaVersion: 2017, sourceType: format === "esm" ? "module" : "script" });
    sizes[`${entry}.${extension}`] = { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
  }
}
execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
copyFileSync(`${root}node_modules/graphql-ws/LICENSE.md`, `${root}dist/graphql-ws.LICENSE`);
copyFileSync(`${root}src/gql/persisted-documents.json`, `${root}dist/persisted-documents.json`);
writeFileSync(`${root}dist/size.json`, `${JSON.stringify(sizes, null, 2)}\n`);
for (const [file, { minified, gzipped }] of Object.entries(sizes)) {
  console.log(`${file.padEnd(16)} ${(minified / 1024).toFixed(1).padStart(6)} KB minified, ${(gzipped / 1024).toFixed(1).padStart(5)} KB min+gzip`);
}
