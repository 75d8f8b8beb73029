import { useEffect, useRef } from "react";
import { SimpleKeyboard as Keyboard } from "simple-keyboard";
import "simple-keyboard/build/css/index.css";
import chinese from "simple-keyboard-layouts/build/layouts/chinese";

const DIGITS = { default: ["1 2 3", "4 5 6", "7 8 9", "{bksp} 0"] };

/**
 * The on-screen keyboard of the kiosk (a kiosk browser shows no system keyboard): the full keyboard
 * with pinyin candidates for Chinese (type "xi", pick 西), or a digits pad. It edits `value` of the
 * field it serves.
 */
export function SoftKeyboard(props: { value: string; onChange: (value: string) => void; digits?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const keyboard = useRef<Keyboard | undefined>(undefined);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  useEffect(() => {
    const k = new Keyboard(box.current!, {
      ...(props.digits ? { layout: DIGITS } : { ...chinese, enableLayoutCandidates: true }),
      onChange: (input: string) => onChange.current(input),
      onKeyPress: (button: string) => {
        if (button === "{shift}" || button === "{lock}")
          k.setOptions({ layoutName: k.options.layoutName === "shift" ? "default" : "shift" });
      },
      display: { "{bksp}": "⌫", "{enter}": "↵", "{shift}": "⇧", "{lock}": "⇪", "{tab}": "⇥", "{space}": " " },
    });
    keyboard.current = k;
    return () => k.destroy();
  }, [props.digits]);
  useEffect(() => {
    keyboard.current?.setInput(props.value);
  }, [props.value]);
  return <div ref={box} className="simple-keyboard" />;
}
