// Checks Kubernetes manifests offline against the Kubernetes API schemas, two ways:
//  1. each object is validated by kubernetes-models (JSON schemas of the Kubernetes OpenAPI:
//     required fields, types, enums, formats);
//  2. each object is type-checked by TypeScript as an object literal of the model's interface,
//     which rejects fields the API does not have (a misspelt field would otherwise be ignored by
//     the schemas, as it is by a lenient API server).
// A file may also be z2jh (zero-to-jupyterhub) Helm values: those are not a Kubernetes object, so
// the pieces they inject into the user pods are checked instead (singleuser.extraEnv as EnvVars,
// singleuser.storage.extraVolumes / extraVolumeMounts as Volumes / VolumeMounts).
//
//   node validate.mjs FILE.yaml...     prints "ok KIND NAME (FILE)" per object; exit 1 on any error
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import ts from "typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** kubernetes-models module of an apiVersion and kind: "apps/v1" + "DaemonSet" -> kubernetes-models/apps/v1/DaemonSet */
function modelModule(apiVersion, kind) {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const checks = []; // {file, kind, name, apiVersion, object}
let failures = 0;

for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.log(`FAIL ${file}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      failures++;
      continue;
    }
    const object = doc.toJS();
    if (object == null) continue;
    if (object.singleuser !== undefined && object.apiVersion === undefined) {
      injectedPieces(file, object.singleuser);
    } else {
      checks.push({ file, apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name, object });
    }
  }
}

function injectedPieces(file, singleuser) {
  const env = singleuser.extraEnv ?? {};
  const envList = Array.isArray(env)
    ? env
    : Object.entries(env).map(([name, v]) => (typeof v === "object" && v !== null ? { name, ...v } : { name, value: v }));
  for (const e of envList) checks.push({ file, apiVersion: "v1", kind: "EnvVar", name: e.name, object: e, piece: true });
  for (const v of singleuser.storage?.extraVolumes ?? [])
    checks.push({ file, apiVersion: "v1", kind: "Volume", name: v.name, object: v, piece: true });
  for (const m of singleuser.storage?.extraVolumeMounts ?? [])
    checks.push({ file, apiVersion: "v1", kind: "VolumeMount", name: m.name, object: m, piece: true });
  if (envList.length === 0) {
    console.log(`FAIL ${file}: no singleuser.extraEnv`);
    failures++;
  }
}

// 1. the JSON schemas
for (const c of checks) {
  let Model;
  try {
    Model = require(modelModule(c.apiVersion, c.kind))[c.kind];
  } catch (e) {
    console.log(`FAIL ${c.file}: ${c.apiVersion} ${c.kind} is not a Kubernetes API kind`);
    failures++;
    c.failed = true;
    continue;
  }
  try {
    new Model(c.object).validate();
  } catch (e) {
    console.log(`FAIL ${c.file}: ${c.kind} ${c.name}: ${e.message}`);
    failures++;
    c.failed = true;
  }
}

// 2. unknown fields: every object as a typed object literal
const virtual = path.join(here, "__manifests__.ts");
let source = "";
checks.forEach((c, i) => {
  source += `import type { I${c.kind} as T${i} } from "${modelModule(c.apiVersion, c.kind)}";\n`;
});
checks.forEach((c, i) => {
  source += `// ${c.file}: ${c.kind} ${c.name}\nexport const o${i}: T${i} = ${JSON.stringify(c.object, null, 2)};\n`;
});
const options = {
  strict: true, noEmit: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2020, skipLibCheck: true, types: [],
};
const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
const getSourceFile = host.getSourceFile.bind(host);
host.fileExists = ((fileExists) => (f) => f === virtual || fileExists(f))(host.fileExists.bind(host));
host.readFile = (f) => (f === virtual ? source : readFile(f));
host.getSourceFile = (f, lang, onError, create) =>
  f === virtual ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, onError, create);
const program = ts.createProgram([virtual], options, host);
const lines = source.split("\n");
for (const d of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (d.file && d.file.fileName === virtual) {
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    // name the object the error is in: the nearest "// FILE: KIND NAME" line above
    let at = line;
    while (at > 0 && !lines[at].startsWith("// ")) at--;
    console.log(`FAIL ${lines[at].slice(3)}: line ${line - at}: ${message}`);
    const index = Number((lines[at + 1].match(/^export const o(\d+)/) || [])[1]);
    if (checks[index]) checks[index].failed = true;
  } else {
    console.log(`FAIL TypeScript: ${message}`);
  }
  failures++;
}

for (const c of checks) {
  if (!c.failed) console.log(`ok ${c.kind} ${c.name} (${c.file})`);
}
process.exit(failures === 0 && checks.length > 0 ? 0 : 1);
