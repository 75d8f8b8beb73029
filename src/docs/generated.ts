import { lifecycleMermaid } from "../modules/cards/cards.rules.ts";
import { renderErrorDocs } from "./error-docs.ts";
import { withModuleMap } from "./module-map.ts";
import { renderPermissionDocs } from "./permission-docs.ts";

const START = "<!-- lifecycle:start -->";
const END = "<!-- lifecycle:end -->";

/** docs/cards.md with the lifecycle diagram between its markers replaced by the one the code defines. */
export function withLifecycleDiagram(markdown: string): string {
  const i = markdown.indexOf(START);
  const j = markdown.indexOf(END);
  if (i < 0 || j < i) throw new Error("docs/cards.md has no lifecycle markers");
  return `${markdown.slice(0, i + START.length)}\n\`\`\`mermaid\n${lifecycleMermaid()}\n\`\`\`\n${markdown.slice(j)}`;
}

/** Every generated document, by path relative to docs/, from its current text. */
export const GENERATED_DOCS: Record<string, (current: string) => string> = {
  "errors.md": () => renderErrorDocs(),
  "cards.md": withLifecycleDiagram,
  "permissions.md": () => renderPermissionDocs(),
  "architecture.md": withModuleMap,
};
