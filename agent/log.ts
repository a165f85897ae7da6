// Logs through winston: JSON lines when stderr is not a terminal (journald, containers),
// readable text on one. stdout stays free for the report.

import { createRequire } from 'node:module';
import type Winston from 'winston';
import type { Logger } from '../probes/model/probe.js';
import { cleanData } from '../probes/model/server-text.js';
import type { LogLevel } from './config/config.js';
import { loadedSecrets } from './config/secret.js';

// winston is loaded when the first line is written, not at start: `probe run` writes none
// when all goes well, and starts a tenth of a second sooner without it and its formats.
const load = createRequire(import.meta.url);
let loaded: typeof Winston | undefined;
function winston(): typeof Winston {
  return (loaded ??= load('winston') as typeof Winston);
}

const SECRET_KEY = /pass(word)?|secret|credential/i;

/** How one line is made: secrets dropped by key, server text cleaned, then JSON or text. */
export function lineFormat(json: boolean): Winston.Logform.Format {
  const { format } = winston();
  /** Drops any field whose name suggests a secret, whatever put it there. */
  const redact = format((info) => {
    for (const key of Object.keys(info)) {
      if (SECRET_KEY.test(key)) info[key] = '<redacted>';
    }
    return info;
  });
  /**
   * Every field of every line, the message included, may carry a server's words (an error it
   * sent, a name it gave): bounded, without control characters, and without any loaded secret.
   */
  const clean = format((info) => {
    const secrets = loadedSecrets();
    for (const key of Object.keys(info)) {
      if (key !== 'level') info[key] = cleanData(info[key], secrets);
    }
    return info;
  });
  const text = format.printf((info) => {
    const { level, message, timestamp, ...meta } = info;
    const fields = Object.entries(meta)
      .filter(([key]) => typeof key === 'string')
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    return `${String(timestamp)} ${level} ${String(message)}${fields === '' ? '' : ` ${fields}`}`;
  });
  return format.combine(
    redact(),
    clean(),
    format.timestamp(),
    json ? format.json() : format.combine(format.colorize(), text),
  );
}

export interface LogOptions {
  level: LogLevel;
  json: boolean;
}

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function createLogger({ level, json }: LogOptions): Logger {
  let logger: Winston.Logger | undefined;
  const at =
    (lineLevel: LogLevel) =>
    (message: string, meta?: Record<string, unknown>): void => {
      if (SEVERITY[lineLevel] > SEVERITY[level]) return;
      if (logger === undefined) {
        const { createLogger: make, transports } = winston();
        logger = make({
          level,
          format: lineFormat(json),
          transports: [new transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
        });
      }
      logger.log(lineLevel, message, meta);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
