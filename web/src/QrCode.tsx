import qrcode from "qrcode-generator";
import { useEffect, useRef } from "react";

/**
 * A QR code drawn on a canvas, black on white with the four-module quiet zone the standard asks for,
 * big enough to scan from a phone held to a reader (and larger in elder mode, by CSS).
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const qr = qrcode(0, "L");
    qr.addData(text, "Byte");
    qr.make();
    const modules = qr.getModuleCount();
    const cell = 4;
    const size = (modules + 8) * cell;
    const c = canvas.current;
    const g = c?.getContext("2d");
    if (!c || !g) return;
    c.width = size;
    c.height = size;
    g.fillStyle = "#fff";
    g.fillRect(0, 0, size, size);
    g.fillStyle = "#000";
    for (let r = 0; r < modules; r++)
      for (let col = 0; col < modules; col++)
        if (qr.isDark(r, col)) g.fillRect((col + 4) * cell, (r + 4) * cell, cell, cell);
  }, [text]);
  return <canvas ref={canvas} className="qr" role="img" aria-label={label} data-testid="qr" />;
}
