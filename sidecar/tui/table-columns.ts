/** Column widths of the model table for a terminal `width` columns wide (80 at least is the target). */
export interface TableColumns {
  check: number;
  config: number;
  file: number;
  size: number;
  status: number;
  destination: number;
}

const GAPS = 5;

export function tableColumns(width: number): TableColumns {
  const check = 2;
  const size = 9;
  const config = width >= 100 ? 16 : 11;
  // Wide enough for "Downloading", a short bar and the percentage.
  const status = width >= 100 ? 30 : 21;
  const flexible = Math.max(width - check - size - config - status - GAPS, 12);
  // The file name matters most; the destination (mostly the category folder) gets what is left.
  const destination = Math.max(Math.floor(flexible * 0.2), 12);
  return { check, config, file: flexible - destination, size, status, destination };
}
