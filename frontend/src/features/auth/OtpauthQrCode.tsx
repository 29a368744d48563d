import { create } from 'qrcode';
import { useMemo } from 'react';

/** Blank modules around the code, which scanners need to find it. */
const QUIET_ZONE = 4;

/** The `otpauth://` URI as a QR code for an authenticator app to scan, drawn here as SVG (no network). */
export function OtpauthQrCode({ uri }: { uri: string }) {
  const { size, path } = useMemo(() => {
    const { modules } = create(uri, { errorCorrectionLevel: 'M' });
    let darkModules = '';
    for (let row = 0; row < modules.size; row += 1) {
      for (let column = 0; column < modules.size; column += 1) {
        if (modules.get(row, column)) darkModules += `M${column + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
      }
    }
    return { size: modules.size + 2 * QUIET_ZONE, path: darkModules };
  }, [uri]);

  return (
    <svg className="qr-code" viewBox={`0 0 ${size} ${size}`} role="img" aria-label="QR code of the authenticator setup link" shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
