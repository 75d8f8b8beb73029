/** `110***********123X`: first 3 and last 4 characters of an ID number. */
export function maskIdNumber(id: string): string {
  if (id.length < 8) return "*".repeat(id.length);
  return `${id.slice(0, 3)}${"*".repeat(id.length - 7)}${id.slice(-4)}`;
}

/** `张*` / `欧阳**`: the first character of a name. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return "*";
  return chars[0] + "*".repeat(chars.length - 1);
}

/** `A1****78`: the first two and last two characters of a card number (e-card screens, receipts). */
export function maskCardNumber(cardNumber: string): string {
  return `${cardNumber.slice(0, 2)}****${cardNumber.slice(-2)}`;
}

/** `139****5678`: the first three and last four digits of a telephone number (a caller's). */
export function maskPhoneNumber(phone: string): string {
  return phone.length > 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : "****";
}

/** Any run of 15 or more digits (an ID number, old or new, alone or inside a longer mistyped run), with an X. */
const DIGIT_RUN = /\d{14,}[\dXx]/g;

/**
 * Masks anything in free text that looks like an ID number (URLs, messages): every run of 15 or more
 * digits, whatever is on either side, keeps its first 3 and last 4 characters.
 */
export function maskIdNumbersIn(text: string): string {
  return text.replace(DIGIT_RUN, (run) => `${run.slice(0, 3)}${"*".repeat(run.length - 7)}${run.slice(-4)}`);
}

/**
 * A request URL as logs may show it: the route's pattern (`/api/v1/cards/:cardNumber`) instead of its
 * values when the route is known, else the decoded path with every run of 6 or more digits hidden; of
 * the query string only the parameter names (`?idNumber=***`).
 */
export function loggableUrl(url: string, routePattern?: string): string {
  const q = url.indexOf("?");
  const rawPath = q < 0 ? url : url.slice(0, q);
  let path = routePattern;
  if (!path) {
    let decoded = rawPath;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      // A malformed escape: the raw path, masked the same way.
    }
    path = decoded.replace(/\d{5,}[\dXx]/g, "***");
  }
  if (q < 0) return path;
  const names = [...new URLSearchParams(url.slice(q + 1)).keys()].map((n) =>
    n.replace(/\d{5,}[\dXx]/g, "***"),
  );
  return names.length ? `${path}?${names.map((n) => `${n}=***`).join("&")}` : path;
}
