// Event ids the daemon itself logs (DESIGN §8). 12288-12290 mirror the guide; the 124xx range is the agent's own.
/** Ids of events written by the agent daemon (the lifecycle's own log effects carry their ids). */
export const AgentEventIds = {
  /** The client sent an activation request (guide id; KMS, and MAK to the authority). */
  requestSent: 12288,
  /** The client got an activation response (guide id). */
  responseReceived: 12289,
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
} as const;
