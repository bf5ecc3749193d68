// Every built-in module, in start order (dependencies first).
import type { Module } from './types.ts';
import disco from './disco/index.ts';
import ping from './ping/index.ts';
import version from './version/index.ts';
import time from './time/index.ts';
import hostMeta from './host-meta/index.ts';
import mam from './mam/index.ts';

export const builtinModules: Module[] = [disco, ping, version, time, hostMeta, mam] as Module[];
