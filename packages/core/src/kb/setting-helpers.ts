import type { TimeoutSetting } from './products.js';

/** One second in ms, for settings written in seconds. */
export const S = 1000;

type SettingMaker = (
  entry: string,
  setting: string,
  fix: string,
  extra?: Partial<TimeoutSetting>,
) => TimeoutSetting;

function wholeUnits(unit: 'seconds' | 'milliseconds'): SettingMaker {
  return (entry, setting, fix, extra = {}) => ({
    entry,
    setting,
    unit,
    syntax: unit === 'seconds' ? 'integer-seconds' : 'integer-milliseconds',
    granularityMs: unit === 'seconds' ? S : 1,
    fix,
    ...extra,
  });
}

/** A setting written as whole seconds (`--keep-alive 65`). */
export const seconds = wholeUnits('seconds');

/** A setting written as whole milliseconds (`keepAliveTimeout: 65000`). */
export const millis = wholeUnits('milliseconds');
