// A module-resolution hook for `node --import` (tests only): writes every URL the program loads to
// the file named by KAP_LOADED_MODULES_FILE, one a line. test/startup.test.ts uses it to check
// what `--help`, `check` and `assert` load at start-up.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

if (process.env.KAP_LOADED_MODULES_FILE) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        appendFileSync(${JSON.stringify(process.env.KAP_LOADED_MODULES_FILE)}, result.url + '\\n');
        return result;
      }`)}`,
  );
  // CommonJS `require` of packages (yaml, the AWS SDK) does not pass the hook above.
  const Module = (await import('node:module')).default;
  const load = Module._load;
  Module._load = function (request, ...rest) {
    appendFileSync(process.env.KAP_LOADED_MODULES_FILE, `cjs:${request}\n`);
    return load.call(this, request, ...rest);
  };
}
