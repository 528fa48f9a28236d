// Escaping for the HTML and SVG the planning commands write (all self-contained, no external resources).

/** Escapes text for HTML/SVG content and attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** A whole HTML document with inline styles. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right}.KMS{color:#1a6}.MAK{color:#b60}.none{color:#777}
.warn{background:#fff6e0;border-left:4px solid #e90;padding:4px 8px;margin:4px 0}
</style></head><body>
${body}
</body></html>
`;
}
