import { pino, type Logger } from 'pino';

/** The logger used when none is given: drops everything. */
export const silentLogger: Logger = pino({ level: 'silent' });
