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

const ID_IN_TEXT = /(?<![0-9])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9])/g;

/** Masks anything in free text that looks like an 18-character ID number (URLs, messages). */
export function maskIdNumbersIn(text: string): string {
  return text.replace(ID_IN_TEXT, "$1***********$2");
}
