// Planning and rehearsal: the inventory, the activation plan, and the fleet simulation.
export * from './csv';
export * from './inventory';
export * from './plan';
export * from './host-sizing';
export * from './scenario';
export * from './simulate';
export * from './plan-scenario';
