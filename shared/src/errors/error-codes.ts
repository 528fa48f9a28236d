/**
 * The one catalogue of vact error codes. Names and numbers are stable: the CLI's --json
 * output, the control API and the authority API all carry them, and scripts match on them.
 * Each message says what went wrong; each hint says what to do about it.
 */
export interface ErrorCodeInfo {
  readonly number: number;
  readonly message: string;
  readonly hint: string;
}

function codes<T extends Record<string, ErrorCodeInfo>>(table: T): { readonly [K in keyof T]: ErrorCodeInfo } {
  return table;
}

export const ErrorCodes = codes({
  // 1xxx: input
  INVALID_REQUEST: { number: 1000, message: 'The request is malformed', hint: 'Check the request against the API schema in docs/.' },
  PAYLOAD_TOO_LARGE: { number: 1001, message: 'The request is larger than allowed', hint: 'Send a smaller request (split batches).' },
  INVALID_KEY: { number: 1002, message: 'The product key is not valid', hint: 'Check the key for typos: 25 characters in five groups of five.' },
  INVALID_DURATION: { number: 1003, message: 'The duration is not valid', hint: 'Use a number and a unit, e.g. 90s, 15m, 2h, 7d or 1d12h.' },
  INVALID_CONFIG: { number: 1004, message: 'The configuration is not valid', hint: 'Fix the named setting in the config file or on the command line.' },
  CATALOGUE_MISMATCH: { number: 1012, message: 'The agent and the authority use different catalogues', hint: 'Configure the same catalogue file on the authority (`vact authority serve --catalogue FILE`) and on every agent (`vact agent run --catalogue FILE`); `vact status -v` and `vact catalogue check FILE` show its digest.' },
  INVALID_CATALOGUE: { number: 1005, message: 'The catalogue is not valid', hint: 'Fix the named field of the catalogue file (see docs/catalogue.md).' },
  UNKNOWN_EDITION: { number: 1006, message: 'The edition is not in the catalogue', hint: 'Run `vact catalogue show` for the edition ids.' },
  UNKNOWN_GROUP: { number: 1007, message: 'The product key group is not in the catalogue', hint: 'Run `vact catalogue show` for the group ids.' },
  INVALID_INSTALLATION_ID: { number: 1008, message: 'The installation ID is not valid', hint: 'Re-read the installation ID from `vact offline iid`; each group ends with a check digit.' },
  INVALID_CONFIRMATION_ID: { number: 1009, message: 'The confirmation ID is not valid for this machine', hint: 'Paste the whole confirmation ID issued for this machine\'s current installation ID.' },
  USAGE: { number: 1011, message: 'The command line is not valid', hint: 'Run the command with --help for its arguments and options.' },
  INVALID_ENCODING: { number: 1010, message: 'The data is not a valid vact encoding', hint: 'The ticket or certificate bytes are damaged or from another program; request a new one (see docs/protocol.md).' },
  // 2xxx: keys and limits (authority)
  KEY_NOT_GENUINE: { number: 2000, message: 'The product key was not issued by this authority', hint: 'Use a key issued by your activation authority.' },
  KEY_REVOKED: { number: 2001, message: 'The product key has been revoked', hint: 'Ask the administrator for a new key.' },
  KEY_WRONG_TYPE: { number: 2002, message: 'The product key is of the wrong type for this operation', hint: 'Use a MAK for MAK activation and a KMS host key for a KMS host.' },
  PRODUCT_NOT_COVERED_BY_KEY: { number: 2003, message: 'The product key does not cover this edition', hint: 'Use a key of a group that covers the edition (`vact catalogue show`).' },
  MAK_LIMIT_REACHED: { number: 2004, message: 'The MAK has reached its activation limit', hint: 'Ask the administrator to raise the limit or issue another MAK.' },
  KMS_HOST_KEY_HOST_LIMIT: { number: 2005, message: 'The KMS host key is already active on the maximum number of hosts', hint: 'Remove the key from a retired host or use another KMS host key.' },
  KMS_HOST_KEY_REACTIVATION_LIMIT: { number: 2006, message: 'This host has reactivated the KMS host key the maximum number of times', hint: 'Ask the administrator for another KMS host key.' },
  HOST_KEY_NOT_ALLOWED_ON_EDITION: { number: 2007, message: 'This KMS host key may not be installed on this edition', hint: 'A host running a client edition may hold only a Client VL host key.' },
  NO_KEY_INSTALLED: { number: 2008, message: 'No product key is installed', hint: 'Install one with `vact key install KEY`.' },
  WRONG_CHANNEL: { number: 2009, message: 'The operation does not apply to the installed key', hint: 'Offline activation needs a MAK installed (`vact key install MAK`).' },
  ACTIVATION_SUPERSEDED: { number: 2010, message: 'The machine changed (key, CMID or hardware) while the activation was under way; its answer was discarded', hint: 'Run `vact activate` again.' },
  FEATURE_UNAVAILABLE: { number: 2011, message: 'This agent cannot do that', hint: 'See `vact status -v` and docs/agent.md for what this agent supports.' },
  NOT_CONFIRMED: { number: 2012, message: 'The operation was not confirmed; nothing changed', hint: 'Answer y to confirm, or pass --yes in scripts.' },
  // 3xxx: KMS
  NO_KMS_HOST: { number: 3000, message: 'No KMS host is available', hint: 'Set one with `vact kms set HOST[:PORT]` or publish _vlmcs._tcp SRV records.' },
  NO_SRV_RECORDS: { number: 3001, message: 'No _vlmcs._tcp SRV records were found', hint: 'Publish a KMS host in DNS or set one with `vact kms set HOST[:PORT]`.' },
  KMS_HOST_UNREACHABLE: { number: 3002, message: 'The KMS host did not answer', hint: 'Check the host is running and TCP port 1688 is open; vact retries on the activation interval.' },
  KMS_COUNT_TOO_LOW: { number: 3003, message: 'The KMS host count is below the activation threshold', hint: 'More machines must ask the KMS host; vact retries on the activation interval.' },
  KMS_HOST_NOT_ACTIVATED: { number: 3004, message: 'The KMS host is not activated', hint: 'Activate the KMS host with its host key against the authority.' },
  PRODUCT_NOT_COVERED_BY_HOST: { number: 3005, message: 'The KMS host key does not cover this edition', hint: 'Install a host key of a group that covers the edition on the KMS host.' },
  CLOCK_SKEW: { number: 3006, message: 'The clocks of this machine and the KMS host differ by more than 4 hours', hint: 'Correct the system clock of this machine or of the KMS host.' },
  KMS_DUPLICATE_CMID: { number: 3007, message: 'Another machine uses this CMID (a cloned image kept it)', hint: 'The agent regenerates its CMID and asks again; if it persists, check for cloned machines in `vact host clients`.' },
  KMS_HOST_BUSY: { number: 3008, message: 'The KMS host has too many connections', hint: 'vact retries on the activation interval; raise the host\'s connection cap if this persists.' },
  KMS_EXCHANGE_TIMEOUT: { number: 3009, message: 'The KMS exchange took too long', hint: 'Check the network between this machine and the KMS host; vact retries on the activation interval.' },
  DNS_UPDATE_REFUSED: { number: 3010, message: 'The DNS server refused the dynamic update', hint: 'Check the zone allows updates with this TSIG key (--tsig-key) and that the key secret matches the server\'s.' },
  DNS_TSIG_INVALID: { number: 3011, message: 'The DNS reply is not signed with the TSIG key', hint: 'The reply may be forged or the server uses another key; check --dns-server and --tsig-key.' },
  // 4xxx: lifecycle and identity
  HARDWARE_OUT_OF_TOLERANCE: { number: 4000, message: 'The hardware changed beyond tolerance', hint: 'Activate again (`vact activate`); the machine is in out-of-tolerance grace.' },
  GRACE_EXPIRED: { number: 4001, message: 'The grace period has expired', hint: 'Activate the machine (`vact activate`) or rearm (`vact rearm`).' },
  REARM_LIMIT_REACHED: { number: 4002, message: 'The rearm limit has been reached', hint: 'Activate the machine; no rearms remain.' },
  CLOCK_ROLLBACK: { number: 4003, message: 'The system clock was set backwards', hint: 'Correct the system clock; grace and validity are counted from the latest time seen.' },
  SIM_CLOCK_ONLY: { number: 4004, message: 'The clock can be moved only on a simulated clock', hint: 'Start the process with --clock sim.' },
  // 5xxx: trust
  INVALID_SIGNATURE: { number: 5000, message: 'The signature does not verify against the authority key', hint: 'Make sure the agent is configured with this authority\'s public key.' },
  CERTIFICATE_EXPIRED: { number: 5001, message: 'The KMS host certificate has expired', hint: 'Reactivate the KMS host against the authority.' },
  TICKET_MISMATCH: { number: 5002, message: 'The activation ticket is for another machine, edition or request', hint: 'Request a new activation for this machine.' },
  // 6xxx: access and transport
  UNAUTHORIZED: { number: 6000, message: 'The token is missing or wrong', hint: 'Pass the right token (--token-file, or --state-dir/--dir to read it).' },
  NEEDS_ADMIN: { number: 6001, message: 'This operation needs the admin token', hint: 'Run as an administrator (use the admin token).' },
  RATE_LIMITED: { number: 6002, message: 'Too many requests', hint: 'Wait and try again.' },
  NOT_FOUND: { number: 6003, message: 'Not found', hint: 'Check the name or id.' },
  UNREACHABLE: { number: 6004, message: 'The service could not be reached', hint: 'Check the URL and that the service is running.' },
  CERTIFICATE_NOT_TRUSTED: { number: 6006, message: 'The server\'s TLS certificate is not trusted', hint: 'Pass the certificate (PEM) of the CA that signed it: --ca FILE on the command line, --authority-ca FILE (config key authorityCa) for the agent.' },
  VERSION_MISMATCH: { number: 6005, message: 'The protocol versions do not match', hint: 'Upgrade the older side.' },
  NEEDS_ROOT: { number: 6007, message: 'This needs root', hint: 'Run it as root (sudo); --print shows what it would write without changing anything.' },
  // 7xxx: storage
  STATE_CORRUPT: { number: 7000, message: 'The state file is corrupt', hint: 'The file was kept as is; restore it from a backup or move it aside to start fresh.' },
  STATE_VERSION_UNSUPPORTED: { number: 7001, message: 'The state file has an unsupported version', hint: 'Run a vact version that knows this state version.' },
  ALREADY_EXISTS: { number: 7002, message: 'It already exists', hint: 'Refusing to overwrite; move the existing file aside first.' },
  STATE_DIR_IN_USE: { number: 7003, message: 'The state dir is in use by another agent', hint: 'Stop that agent first, or give this one its own --state-dir.' },
  TOKEN_UNREADABLE: { number: 7004, message: 'The control token cannot be read', hint: 'Run as a user who can read the token file (the admin token belongs to the agent\'s owner), or pass --token-file FILE.' },
  SERVICE_MANAGER_FAILED: { number: 7005, message: 'The service manager refused the change', hint: 'See `systemctl status vact-agent` and `journalctl -u vact-agent`; the files written are listed above.' },
  INTERNAL: { number: 9999, message: 'Internal error', hint: 'Report this with the log file.' },
});

export type ErrorCodeName = keyof typeof ErrorCodes;

/** An error with a stable catalogue code; thrown by domain code and mapped to exit codes and API errors at the edges. */
export class VactError extends Error {
  readonly number: number;
  readonly hint: string;
  constructor(
    public readonly code: ErrorCodeName,
    detail?: string,
    public readonly details?: Record<string, unknown>,
  ) {
    const info = ErrorCodes[code];
    super(detail ? `${info.message}: ${detail}` : info.message);
    this.name = 'VactError';
    this.number = info.number;
    this.hint = info.hint;
  }

  /** The JSON shape used by the CLI (--json), the control API and the authority API. */
  toJSON(): { code: ErrorCodeName; number: number; message: string; hint: string; details?: Record<string, unknown> } {
    return { code: this.code, number: this.number, message: this.message, hint: this.hint, ...(this.details ? { details: this.details } : {}) };
  }
}

/** True when `value` names a code in the catalogue. */
export function isErrorCodeName(value: unknown): value is ErrorCodeName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorCodes, value);
}
