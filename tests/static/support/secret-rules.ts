/**
 * A small secret scanner: the well-known credential formats and the generic "key-like name, random
 * value" rule of gitleaks' default configuration (github.com/gitleaks/gitleaks, config/gitleaks.toml,
 * MIT; rule ids kept so a finding can be looked up there), plus credentials in a URL (secretlint's
 * @secretlint/secretlint-rule-basicauth does the same). The patterns are written for this repository,
 * not copied: each is the documented shape of the credential. No library is used because the two
 * candidates either need a Go binary at test time (gitleaks) or add a dozen packages and still lack
 * the generic entropy rule (secretlint's recommended preset).
 */

export interface Finding {
  rule: string;
  file: string;
  line: number;
  /** The text the rule matched (the secret itself for the generic rules). */
  match: string;
}

/** Source files, where an unquoted value after a name is an expression, not a literal. */
const CODE = /\.(?:[cm]?[jt]s|tsx?)$/;

interface Rule {
  id: string;
  pattern: RegExp;
  /** Files the rule does not apply to. */
  notIn?: RegExp;
  /** Which capture group is the secret (default: the whole match). */
  group?: number;
  /** Shannon entropy (bits per character) the secret must exceed, for the generic rule. */
  minEntropy?: number;
}

export const RULES: Rule[] = [
  { id: 'private-key', pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g },
  { id: 'aws-access-token', pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g },
  { id: 'github-token', pattern: /\b(?:gh[pousr]_[0-9A-Za-z]{36}|github_pat_\w{82})\b/g },
  { id: 'gitlab-pat', pattern: /\bglpat-[\w-]{20}\b/g },
  { id: 'slack-token', pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,}/g },
  { id: 'stripe-access-token', pattern: /\b(?:sk|rk)_(?:test|live|prod)_[0-9A-Za-z]{10,99}\b/g },
  { id: 'gcp-api-key', pattern: /\bAIza[\w-]{35}\b/g },
  { id: 'npm-access-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { id: 'jwt', pattern: /\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/g },
  // A URL with a user and a password before the host. The password group excludes `$`, `{` and `<`,
  // so an interpolated value (${PASSWORD}, $PGPASSWORD, <password>) is not a finding.
  { id: 'url-credentials', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]+:([^\s:/@'"`${}<>]+)@/gi, group: 1 },
  // An upper-case, environment-style name of a secret given a literal value, however guessable:
  // ADMIN_TOKEN=..., POSTGRES_PASSWORD: ..., ${ADMIN_TOKEN:-...}, const API_SECRET = '...'. Not in
  // gitleaks (its generic rule wants a random-looking value): here every such value is a decision the
  // allow-list has to name. In code only a quoted value counts (ADMIN_TOKEN: config.token is not one).
  {
    id: 'env-style-secret',
    pattern: /(?:^|[\s{,(])[A-Z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY)[A-Z0-9_]*\s{0,3}(?:=|:-?)\s{0,3}(["'`])([^\s"'`$<{}]{4,})\1/g,
    group: 2,
  },
  {
    id: 'env-style-secret',
    pattern:
      /(?:^|[\s{,(])[A-Z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY)[A-Z0-9_]*["']?\s{0,3}(?:=|:-?)\s{0,3}([^\s"'`$<{}(),;?|]{4,})/g,
    group: 1,
    notIn: CODE,
  },
  // gitleaks generic-api-key: a key-like name, an assignment, and a value random enough to be a
  // generated secret (entropy above 3.5 bits per character, gitleaks' threshold).
  {
    id: 'generic-api-key',
    pattern:
      /\b[\w.-]{0,40}(?:access|auth|api|credential|creds|key|passwd|password|secret|token)[\w.-]{0,20}["'`]?\s{0,5}(?:=|:|:=|=>|,)\s{0,5}["'`]?([\w.=+/~-]{12,150})/gi,
    group: 1,
    minEntropy: 3.5,
  },
];

/** Shannon entropy in bits per character. */
export const entropy = (text: string): number => {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
};

/**
 * A generated secret mixes letters and digits; an identifier after a key-like name (a config key, an
 * attribute name such as http.response.status_code, a function) has no digit and is not one.
 */
const looksGenerated = (value: string): boolean => /\d/.test(value) && /[A-Za-z]/.test(value);

/** Every rule's findings in one file's text. */
export function scanText(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    for (const rule of RULES) {
      if (rule.notIn?.test(file)) continue;
      for (const match of line.matchAll(rule.pattern)) {
        const secret = match[rule.group ?? 0] ?? '';
        if (rule.minEntropy !== undefined && !(looksGenerated(secret) && entropy(secret) > rule.minEntropy)) continue;
        findings.push({ rule: rule.id, file, line: index + 1, match: secret });
      }
    }
  });
  return findings;
}
