/** The part of fontkit (pdfkit's font engine, no types of its own) the certificates use. */
declare module "fontkit" {
  /** A parsed font (pdfkit takes it in place of the file: it only needs `layout` and subsets). */
  export type Font = { layout: (text: string) => unknown; postscriptName: string };
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
