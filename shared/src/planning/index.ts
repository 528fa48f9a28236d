// Planning and rehearsal: the inventory, the activation plan, and the fleet simulation.
export * from './csv';
export * from './inventory';
export * from './plan';
export * from './host-sizing';
