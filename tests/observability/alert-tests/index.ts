// Every promtool unit test of the lab's alerts, for a given rule shape. A new alert needs cases here:
// tests/observability/promtool.test.ts fails, naming it, until it has a firing and a silent one.
import { RuleOptions, VOICE_SERVICES } from "../../../components/observability/rules";
import type { AlertCase } from "../promtool";
import { backupCases } from "./backups";
import { certificateCases } from "./certificates";
import { databaseCases } from "./database";
import { gpuCases } from "./gpu";
import { nodeCases } from "./nodes";
import { secretCases } from "./secrets";
import { storageCases } from "./storage";
import { voiceCases } from "./voice";

export function alertCases(opts: RuleOptions): AlertCase[] {
  return [
    ...nodeCases,
    ...certificateCases,
    ...storageCases,
    ...databaseCases,
    ...backupCases,
    ...secretCases,
    ...(opts.gpu ? gpuCases : []),
    ...voiceCases(opts.voiceServices ?? VOICE_SERVICES),
  ];
}
