import type { BehaviorKey } from '../domain/behaviors.js';
import type { PostureResultEvent } from '../domain/security-event.js';
import { type Detector, findingFor } from './detector.js';
import { describePosture, episodeHistory, episodeKey, findEpisodeStart } from './posture-episode.js';
import type { DetectorThresholds } from './thresholds.js';

/** A CrowdStrike ZTA score band. */
export type ZtaBand = 'low' | 'medium';

/** The lowest valid score (0–100) among overall, OS and sensor configuration; `undefined` when none. */
export function worstZtaScore(result: PostureResultEvent): number | undefined {
  const report = result.crowdStrike;
  if (result.checkType !== 'crowdstrike_s2s' || !report) return undefined;
  const scores = [report.overall, report.os, report.sensorConfig].filter(
    (s): s is number => typeof s === 'number' && Number.isFinite(s) && s >= 0 && s <= 100,
  );
  return scores.length > 0 ? Math.min(...scores) : undefined;
}

/**
 * The band of a result, by its worst score: `low` for 0..lowMaxScore, `medium` above that up to
 * mediumMaxScore, else `undefined`. One band per result: a device with one low score is low, not also
 * medium.
 */
export function ztaBand(
  result: PostureResultEvent,
  thresholds: DetectorThresholds['crowdStrike'],
): ZtaBand | undefined {
  const worst = worstZtaScore(result);
  if (worst === undefined) return undefined;
  if (worst <= thresholds.lowMaxScore) return 'low';
  if (worst <= thresholds.mediumMaxScore) return 'medium';
  return undefined;
}

function bandDetector(behavior: BehaviorKey, band: ZtaBand): Detector {
  return {
    behavior,
    accepts: (event) => event.type === 'posture_result' && event.checkType === 'crowdstrike_s2s',
    history: (event) => episodeHistory(event),
    detect(event, history, ctx) {
      if (event.type !== 'posture_result' || event.checkType !== 'crowdstrike_s2s') return [];
      const thresholds = ctx.thresholds.crowdStrike;
      const episode = findEpisodeStart(event, history, (r) => ztaBand(r, thresholds) === band);
      if (!episode) return [];
      const report = episode.start.crowdStrike;
      return [
        findingFor(episode.start.user, {
          behavior,
          timestamp: episode.start.timestamp,
          details: {
            ...describePosture(episode),
            band,
            worst_score: worstZtaScore(episode.start),
            overall: report?.overall,
            os: report?.os,
            sensor_config: report?.sensorConfig,
            low_max_score: thresholds.lowMaxScore,
            medium_max_score: thresholds.mediumMaxScore,
          },
          dedupeKey: episodeKey(behavior, episode),
        }),
      ];
    },
  };
}

/**
 * `crowdstrike_low_zta`: a `crowdstrike_s2s` result whose worst ZTA score (overall, OS or sensor
 * configuration) is 0..`thresholds.crowdStrike.lowMaxScore` (default 50; PRODUCT.md, API.md §8,
 * LOGPUSH.md §6.3). One occurrence per device until a result leaves the low band (`episodeKey`).
 */
export const crowdStrikeLowZta: Detector = bandDetector('crowdstrike_low_zta', 'low');

/**
 * `crowdstrike_medium_zta`: a `crowdstrike_s2s` result whose worst ZTA score is above `lowMaxScore` and
 * at most `thresholds.crowdStrike.mediumMaxScore` (default 51–79; API.md §8 removes Cloudflare's overlap
 * at 50). One occurrence per device until a result leaves the medium band (`episodeKey`); moving from
 * low to medium starts a medium episode.
 */
export const crowdStrikeMediumZta: Detector = bandDetector('crowdstrike_medium_zta', 'medium');
