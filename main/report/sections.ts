/** Section titles in report order, used by the PDF's table of contents and the Markdown headings. */
export const SECTION_TITLES = {
  summary: 'Executive summary',
  metadata: 'Case metadata',
  findings: 'Findings by stage',
  timeline: 'Key timeline (UTC)',
  flow: 'Incident flow',
  iocs: 'Indicators of compromise',
  detections: 'Detection opportunities',
  actions: 'Recommended response actions',
  scope: 'Scope and limitations',
  audit: 'Appendix A: audit log',
  verification: 'Appendix B: verifying this report',
} as const;

export type SectionId = keyof typeof SECTION_TITLES;

/** How a reader checks the signed PDF, as paragraphs. */
export const VERIFICATION_STEPS = [
  'The PDF carries an embedded CMS signature (adbe.pkcs7.detached, SHA-256) whose byte range covers the whole file except the signature itself. Changing any byte of the file breaks it.',
  'Check it with "netcase verify REPORT.pdf", which recomputes the digest over the signed byte ranges, checks the signature against the embedded certificate and prints the signer, signing time and certificate fingerprint. Poppler\'s "pdfsig REPORT.pdf" and Adobe Acrobat Reader check the same signature.',
  'The SHA-256 of the exported file is stored in the case\'s audit log and beside the PDF as REPORT.pdf.sha256; "sha256sum -c REPORT.pdf.sha256" compares the file with it.',
  'The signing certificate is the analyst\'s own. Compare its SHA-256 fingerprint with the one the analyst gave you through another channel before trusting the signer\'s name.',
];
