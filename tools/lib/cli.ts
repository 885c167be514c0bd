// How every tool ends: print, wait until stdout and stderr have reached the pipe, then exit.
// `process.exit` right after a large write to a pipe would cut the output short.
import { mapErrorStack } from "../loader/stack-traces";

/** Resolves once everything written so far to `stream` has been handed to the OS. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

export async function exitWith(code: number): Promise<never> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/**
 * Runs a tool's main function. Errors of the listed kinds are the user's: their message is printed
 * without a stack trace and the tool exits 1; anything else is a bug, printed in full with exit 2.
 */
export function runCli(main: () => Promise<number> | number, userErrors: Function[], userErrorCode = 1): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => exitWith(code),
      (err: Error) => {
        const isUserError = userErrors.some((kind) => err instanceof kind);
        // A bug: its stack, with the .ts lines (tools/register.js maps them only on demand).
        process.stderr.write(isUserError ? `error: ${err.message}\n` : `failed unexpectedly:\n${mapErrorStack(err).stack ?? err}\n`);
        return exitWith(isUserError ? userErrorCode : 2);
      },
    );
}
