import { useMemo } from "react";
import { useT } from "../i18n.tsx";

/**
 * The PIN pad on the touch screen: ten digits in a shuffled layout (a new one each time it is shown,
 * so fingerprints and onlookers learn nothing), shown as dots, 6 digits at most.
 */
export function Keypad({
  value,
  onChange,
  label,
}: {
  value: string;
  onChange: (v: string) => void;
  label: string;
}) {
  const t = useT();
  const digits = useMemo(() => {
    const d = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    const random = new Uint32Array(d.length);
    crypto.getRandomValues(random);
    for (let i = d.length - 1; i > 0; i--) {
      const j = random[i] % (i + 1);
      [d[i], d[j]] = [d[j], d[i]];
    }
    return d;
  }, []);
  return (
    <fieldset className="keypad">
      <legend>{label}</legend>
      <output aria-live="polite" aria-label={t("kioskDigits", { n: value.length })}>
        {"●".repeat(value.length).padEnd(6, "○")}
      </output>
      <div className="keys">
        {digits.map((d) => (
          <button key={d} type="button" onClick={() => value.length < 6 && onChange(value + d)}>
            {d}
          </button>
        ))}
        <button type="button" onClick={() => onChange("")}>
          {t("kioskClear")}
        </button>
      </div>
    </fieldset>
  );
}
