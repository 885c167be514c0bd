// Preloaded by `npm run bench` into each process it times (the SDK-import floor and the plans
// alike): reports the process's peak memory, in KiB, on file descriptor 3 as it exits.
"use strict";
process.on("exit", () => {
  try {
    require("node:fs").writeSync(3, String(process.resourceUsage().maxRSS));
  } catch {
    // not started by the bench: nothing to report to
  }
});
