import { parseArgs } from "node:util";
import type { Db } from "../db/database.ts";
import type { Deps } from "../deps.ts";
import { startFastAgi } from "../modules/phone/fastagi.ts";

/**
 * `sscard phone agi [--port 4573] [--host 127.0.0.1]`: the FastAGI server Asterisk calls for the 12333
 * and 96102 lines, until SIGINT or SIGTERM. The dialplan passes the line's phone key:
 * `AGI(agi://<host>:4573/12333,<key>)`.
 */
export async function phoneAgiCommand(deps: Deps, _db: Db, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string", default: "4573" }, host: { type: "string", default: "127.0.0.1" } },
  });
  const agi = await startFastAgi({
    port: Number(values.port),
    host: values.host,
    phone: deps.phone,
    authenticate: (token) => deps.staff.authenticate(token),
  });
  console.log(`FastAGI for the 12333 and 96102 lines on ${values.host}:${agi.port}`);
  await new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await agi.close();
  return 0;
}
