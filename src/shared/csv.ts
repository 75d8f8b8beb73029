/** A parsed CSV: the header's column names and the data rows (line numbers count the header as line 1). */
export type Csv = { columns: string[]; rows: { line: number; values: Record<string, string> }[] };

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). Returns an error text when malformed. */
export function parseCsv(text: string): Csv | { error: string } {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  while (i < src.length) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
    } else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else {
      field += ch;
    }
    i += 1;
  }
  if (quoted) return { error: "unterminated quoted field" };
  if (field !== "" || record.length) {
    record.push(field);
    records.push(record);
  }
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0].trim() === ""));
  if (nonEmpty.length === 0) return { error: "empty file" };
  const columns = nonEmpty[0].map((c) => c.trim());
  const rows = [];
  let line = 1;
  for (const r of records.slice(1)) {
    line += 1;
    if (r.length === 1 && r[0].trim() === "") continue;
    const values: Record<string, string> = {};
    columns.forEach((c, k) => {
      values[c] = (r[k] ?? "").trim();
    });
    if (r.length > columns.length) values.__extra = r.slice(columns.length).join(",");
    rows.push({ line, values });
  }
  return { columns, rows };
}

/** Quotes a value for CSV when it needs it. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvField).join(",");
}
