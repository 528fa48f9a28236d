// CONTRACT — implemented by the shared-lifecycle helper: the pure lifecycle (state, event, now) -> (state', effects, nextWake).
import type { CatalogueRules } from '../catalogue/types';
import type { LifecycleEvent, LifecycleState, StepResult } from './types';
export declare function initialState(edition: string, rules: CatalogueRules, now: number): LifecycleState;
/** Throws VactError (e.g. REARM_LIMIT_REACHED) for events refused in this state; never does I/O. */
export declare function step(state: LifecycleState, event: LifecycleEvent, now: number, rules: CatalogueRules): StepResult;
