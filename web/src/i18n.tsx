import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { setApiLanguage } from "./api.ts";
import { CODES } from "./codes.ts";
import { TEXTS, type TextKey } from "./texts.ts";

export type { TextKey };

export type Lang = "zh" | "en";

type Translate = ((key: TextKey, values?: Record<string, string | number>) => string) & {
  code: (code: string) => string;
  lang: Lang;
};

const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({
  lang: "zh",
  setLang: () => {},
});

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem("sscard.lang") === "en" ? "en" : "zh"));
  useEffect(() => {
    localStorage.setItem("sscard.lang", lang);
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    setApiLanguage(lang);
  }, [lang]);
  setApiLanguage(lang);
  return <LangContext.Provider value={{ lang, setLang }}>{children}</LangContext.Provider>;
}

export function useLang() {
  return useContext(LangContext);
}

/** The translator for the chosen language: `t("key", { n: 3 })`, and `t.code(state)` for codes. */
export function useT(): Translate {
  const { lang } = useContext(LangContext);
  const t = ((key: TextKey, values?: Record<string, string | number>) => {
    let s: string = TEXTS[key][lang];
    for (const [k, v] of Object.entries(values ?? {})) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  }) as Translate;
  t.code = (code: string) => CODES[code]?.[lang] ?? code;
  t.lang = lang;
  return t;
}
