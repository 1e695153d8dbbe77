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
  const config = width >= 100 ? 16 : 12;
  const status = width >= 100 ? 30 : 22;
  const flexible = Math.max(width - check - size - config - status - GAPS, 10);
  // The file name matters most; the destination gets what is left.
  const file = Math.ceil(flexible * 0.6);
  return { check, config, file, size, status, destination: flexible - file };
}
