// Event ids of the activation event log (DESIGN §8). 12288-12290 mirror the guide; 124xx are
// vact's own. One table for the agent, the lifecycle and the KMS host, so a log line means the
// same thing whoever wrote it. Append only.

/** Every event id of the activation event log, by name. */
export const EventIds = {
  /** A client sent an activation request (guide id 12288; KMS, and MAK to the authority). */
  requestSent: 12288,
  /** A client got an activation response (guide id 12289). */
  responseReceived: 12289,
  /** A KMS host logged a client request (guide id 12290). */
  hostLoggedRequest: 12290,
  agentStarted: 12400,
  keyInstalled: 12401,
  keyUninstalled: 12402,
  activationSucceeded: 12403,
  activationFailed: 12404,
  rearmed: 12405,
  reminder: 12406,
  statusChanged: 12407,
  hardwareWithinTolerance: 12408,
  hardwareOutOfTolerance: 12409,
  cmidRegenerated: 12410,
  clockRollback: 12411,
  offlineConfirmed: 12412,
  offlineRefused: 12413,
  ticketRejected: 12414,
  hardwareScanFailed: 12415,
  agentStopped: 12416,
  // 1242x: transitions only the lifecycle decides (it logs these itself, as `log` effects).
  /** A grace period started (initial, out-of-tolerance or after KMS validity lapsed). */
  graceStarted: 12420,
  /** Grace ended without activation: the machine is in the Notification state. */
  notification: 12421,
  /** KMS validity (180 days) lapsed without a renewal. */
  validityLapsed: 12422,
  /** A KMS host's activation/renewal intervals replaced the client's own. */
  hostIntervalsApplied: 12423,
  /** The administrator changed the activation/renewal intervals. */
  intervalsChanged: 12424,
  /** A KMS renewal failed; the machine stays Licensed until its validity ends. */
  renewalFailed: 12425,
  /** A different key was installed on a Licensed machine: Licensed by the old channel until the new one answers. */
  channelSwitching: 12426,
} as const;

export type EventName = keyof typeof EventIds;
