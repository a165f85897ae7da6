// @ts-nocheck
// Logs through winston: JSON lines when stderr is not a terminal (journald, containers),
// readable text on one. stdout stays free for the report.

import winston from 'winston';
import type { Logger } from '../probes/model/probe.js';
import type { LogLevel } from './config/config.js';

const SECRET_KEY = /pass(word)?|secret|credential/i;

/** Drops any field whose name suggests a secret, whatever put it there. */
const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEY.test(key)) info[key] = '<redacted>';
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

export function createLogger({ level, json }: LogOptions): Logger {
  const logger = winston.createLogger({
    level,
    format: winston.format.combine(
      redact(),
      winston.format.timestamp(),
      json ? winston.format.json() : winston.format.combine(winston.format.colorize(), text),
    ),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
  return {
    debug: (message, meta) => logger.debug(message, meta),
    info: (message, meta) => logger.info(message, meta),
    warn: (message, meta) => logger.warn(message, meta),
    error: (message, meta) => logger.error(message, meta),
  };
}
