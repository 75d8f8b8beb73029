import { createRequire } from "node:module";

/**
 * Where a print job stands, in the words the kiosk page shows: done, or why not (the printer's own
 * reasons, RFC 8011 `printer-state-reasons` such as media-empty or media-jam, and its message).
 */
export type PrintStatus = Readonly<{
  state: "printing" | "completed" | "stopped" | "failed";
  reasons: readonly string[];
  message: string;
}>;

type IppResponse = Record<string, Record<string, unknown> | string | undefined> & { statusCode: string };
type IppPrinter = {
  execute: (op: string, msg: object, cb: (err: Error | null, res: IppResponse) => void) => void;
};

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v ? [String(v)] : []);
/** The reasons that mean the holder should call staff (not "none", not the routine report-only ones). */
const trouble = (reasons: string[]) => reasons.filter((r) => r !== "none" && !r.endsWith("-report"));

/**
 * The kiosk's A4 printer through IPP (CUPS; the `ipp` package): the printer's state is asked first
 * (a stopped printer takes no job, so a retry never prints twice), then Print-Job, then
 * Get-Job-Attributes until the job is done or stopped; a stopped job is cancelled.
 */
export function ippPrinter(url: string, options: { pollMs?: number; timeoutMs?: number } = {}) {
  const ipp = createRequire(import.meta.url)("ipp") as { Printer: (url: string) => IppPrinter };
  const printer = ipp.Printer(url);
  const run = (op: string, attributes: object, data?: Buffer) =>
    new Promise<IppResponse>((resolve, reject) =>
      printer.execute(
        op,
        { "operation-attributes-tag": attributes, ...(data ? { data } : {}) },
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
  const attrs = (res: IppResponse, group: string) => (res[group] ?? {}) as Record<string, unknown>;

  async function state(): Promise<PrintStatus> {
    const res = await run("Get-Printer-Attributes", {
      "requested-attributes": ["printer-state", "printer-state-reasons", "printer-state-message"],
    });
    const a = attrs(res, "printer-attributes-tag");
    const reasons = trouble(list(a["printer-state-reasons"]));
    const stopped = a["printer-state"] === "stopped" || reasons.length > 0;
    return {
      state: stopped ? "stopped" : "printing",
      reasons,
      message: String(a["printer-state-message"] ?? ""),
    };
  }

  return {
    state,
    /** Prints a PDF; `progress` hears each change; resolves with the final status. */
    async print(
      pdf: Buffer,
      title: string,
      progress: (s: PrintStatus) => void = () => {},
    ): Promise<PrintStatus> {
      const before = await state();
      if (before.state === "stopped") return before;
      const res = await run(
        "Print-Job",
        { "requesting-user-name": "sscard-kiosk", "job-name": title, "document-format": "application/pdf" },
        pdf,
      );
      const jobId = attrs(res, "job-attributes-tag")["job-id"];
      if (res.statusCode !== "successful-ok" || typeof jobId !== "number")
        return { state: "failed", reasons: [res.statusCode], message: "" };
      const deadline = Date.now() + (options.timeoutMs ?? 30_000);
      let last = "";
      while (Date.now() < deadline) {
        const job = attrs(
          await run("Get-Job-Attributes", {
            "job-id": jobId,
            "requested-attributes": ["job-state", "job-state-reasons", "job-printer-state-message"],
          }),
          "job-attributes-tag",
        );
        const jobState = String(job["job-state"]);
        const reasons = trouble(list(job["job-state-reasons"]));
        const message = String(job["job-printer-state-message"] ?? "");
        if (jobState === "completed") return { state: "completed", reasons: [], message: "" };
        if (["processing-stopped", "canceled", "aborted"].includes(jobState)) {
          await run("Cancel-Job", { "job-id": jobId }).catch(() => undefined);
          const printerNow = await state().catch(() => before);
          return { state: "stopped", reasons: [...new Set([...reasons, ...printerNow.reasons])], message };
        }
        if (jobState !== last) progress({ state: "printing", reasons, message });
        last = jobState;
        await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
      }
      await run("Cancel-Job", { "job-id": jobId }).catch(() => undefined);
      return { state: "failed", reasons: ["timed-out"], message: "" };
    },
  };
}

export type KioskPrinter = ReturnType<typeof ippPrinter>;
