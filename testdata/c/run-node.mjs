// Run a linked test program under node's WASI (preview1).
//
//   node run-node.mjs prog.wasm [args...]
//       Command: runs _start; the program's stdout/stderr pass through and
//       its exit status becomes this process's exit status.
//
//   node run-node.mjs --call NAME [--host MODULE.NAME] prog.wasm
//       Reactor: instantiates, calls _initialize, then the export NAME
//       (() -> i32). The optional host import MODULE.NAME is (i32, i32) -> i32
//       and returns a + b. stdout is only the program's output; the call's
//       result is reported on stderr as "NAME() -> VALUE"; exit status 0.
//
// Exit status 70 on a runner error (bad usage, failed instantiation, trap).

// Silence the "WASI is an experimental feature" warning before loading it.
process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');
const { readFileSync } = await import('node:fs');
const { basename } = await import('node:path');

function fail(msg) {
    process.stderr.write(`run-node: ${msg}\n`);
    process.exit(70);
}

const argv = process.argv.slice(2);
let call = null;
let host = null;
while (argv.length > 0 && argv[0].startsWith('--')) {
    const opt = argv.shift();
    if (opt === '--call') call = argv.shift();
    else if (opt === '--host') host = argv.shift();
    else fail(`unknown option ${opt}`);
}
if (argv.length < 1) fail('usage: run-node.mjs [--call NAME [--host MODULE.NAME]] prog.wasm [args...]');
const file = argv.shift();

const wasi = new WASI({
    version: 'preview1',
    args: [basename(file), ...argv],
    env: {},
    returnOnExit: true,
});
const imports = wasi.getImportObject();
if (host !== null) {
    const dot = host.indexOf('.');
    if (dot <= 0) fail(`--host wants MODULE.NAME, got ${host}`);
    const mod = host.slice(0, dot);
    imports[mod] = { ...(imports[mod] || {}), [host.slice(dot + 1)]: (a, b) => (a + b) | 0 };
}

try {
    const module = await WebAssembly.compile(readFileSync(file));
    const instance = await WebAssembly.instantiate(module, imports);
    if (call === null) {
        process.exitCode = wasi.start(instance);
    } else {
        wasi.initialize(instance);
        const fn = instance.exports[call];
        if (typeof fn !== 'function') fail(`no exported function ${call}`);
        const result = fn();
        process.stderr.write(`${call}() -> ${result}\n`);
        process.exitCode = 0;
    }
} catch (e) {
    fail(`${file}: ${e && e.stack ? e.stack : e}`);
}
