import { parseArgs } from "node:util";
import { startKioskAgent } from "../modules/kiosk/kiosk.agent.ts";

/** `sscard kiosk agent`: the kiosk's device agent, until SIGINT or SIGTERM. */
export async function kioskAgentCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", default: "17300" },
      origin: { type: "string", default: "http://127.0.0.1:8080" },
      simulate: { type: "boolean", default: false },
    },
  });
  const agent = await startKioskAgent({
    port: Number(values.port),
    origin: values.origin,
    simulate: values.simulate,
  });
  console.log(
    `kiosk device agent on ${agent.url} for ${values.origin}${values.simulate ? " — SIMULATED devices (demo and tests only)" : ""}`,
  );
  await new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await agent.close();
  return 0;
}
