// Logs through winston: JSON lines when stderr is not a terminal (journald, containers),
// readable text on one. stdout stays free for the report.

import winston from 'winston';
import type { Logger } from '../probes/model/probe.js';
import { cleanData } from '../probes/model/server-text.js';
import type { LogLevel } from './config/config.js';
import { loadedSecrets } from './config/secret.js';

const SECRET_KEY = /pass(word)?|secret|credential/i;

/** Drops any field whose name suggests a secret, whatever put it there. */
const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEY.test(key)) info[key] = '<redacted>';
  }
  return info;
});

/**
 * Every field of every line, the message included, may carry a server's words (an error it
 * sent, a name it gave): bounded, without control characters, and without any loaded secret.
 */
const clean = winston.format((info) => {
  const secrets = loadedSecrets();
  for (const key of Object.keys(info)) {
    if (key !== 'level') info[key] = cleanData(info[key], secrets);
  }
  return info;
});

const text = winston.format.printf((info) => {
  const { level, message, timestamp, ...meta } = info;
  const fields = Object.entries(meta)
    .filter(([key]) => typeof key === 'string')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${String(timestamp)} ${level} ${String(message)}${fields === '' ? '' : ` ${fields}`}`;
});

export interface LogOptions {
  level: LogLevel;
  json: boolean;
}

/** How one line is made: secrets dropped by key, server text cleaned, then JSON or text. */
export function lineFormat(json: boolean): winston.Logform.Format {
  return winston.format.combine(
    redact(),
    clean(),
    winston.format.timestamp(),
    json ? winston.format.json() : winston.format.combine(winston.format.colorize(), text),
  );
}

export function createLogger({ level, json }: LogOptions): Logger {
  const logger = winston.createLogger({
    level,
    format: lineFormat(json),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
  return {
    debug: (message, meta) => logger.debug(message, meta),
    info: (message, meta) => logger.info(message, meta),
    warn: (message, meta) => logger.warn(message, meta),
    error: (message, meta) => logger.error(message, meta),
  };
}
