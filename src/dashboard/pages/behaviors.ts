import { DEFAULT_THRESHOLDS, type DetectorThresholds, toThresholdsWire } from '../../detectors/thresholds.js';
import { RISK_LEVELS } from '../../domain/risk-level.js';
import type { BehaviorView } from '../../services/behaviors.js';
import { type Html, html } from '../html.js';
import { csrfField, needsReadNotice, type PageContext, page } from '../layout.js';

/** One threshold input: its wire group and member, label, unit and help. */
export interface ThresholdField {
  readonly group: 'imp_travel' | 'high_dlp' | 'failed_logins' | 'crowdstrike_zta';
  readonly member: string;
  readonly label: string;
  readonly unit: string;
  readonly step: string;
}

/** The thresholds form, by group (the `…/ztrisk/behavior_settings` document). */
export const THRESHOLD_GROUPS: readonly {
  readonly title: string;
  readonly fields: readonly ThresholdField[];
}[] = [
  {
    title: 'Impossible Travel',
    fields: [
      { group: 'imp_travel', member: 'min_speed_kmh', label: 'Speed above', unit: 'km/h', step: 'any' },
      { group: 'imp_travel', member: 'min_distance_km', label: 'Distance above', unit: 'km', step: 'any' },
      {
        group: 'imp_travel',
        member: 'default_accuracy_km',
        label: 'Assumed location accuracy',
        unit: 'km',
        step: 'any',
      },
    ],
  },
  {
    title: 'High Number of DLP Policies Triggered',
    fields: [
      { group: 'high_dlp', member: 'min_count', label: 'Matches at least', unit: 'matches', step: '1' },
      { group: 'high_dlp', member: 'window_seconds', label: 'Within', unit: 'seconds', step: '1' },
    ],
  },
  {
    title: 'Repeated Failed Logins',
    fields: [
      {
        group: 'failed_logins',
        member: 'min_count',
        label: 'Failed sign-ins at least',
        unit: 'sign-ins',
        step: '1',
      },
      { group: 'failed_logins', member: 'window_minutes', label: 'Within', unit: 'minutes', step: '1' },
    ],
  },
  {
    title: 'CrowdStrike ZTA score bands',
    fields: [
      {
        group: 'crowdstrike_zta',
        member: 'low_max_score',
        label: 'Low band up to',
        unit: 'score',
        step: '1',
      },
      {
        group: 'crowdstrike_zta',
        member: 'medium_max_score',
        label: 'Medium band up to',
        unit: 'score',
        step: '1',
      },
    ],
  },
];

/** The form name of a threshold field (`imp_travel.min_speed_kmh`). */
export function thresholdName(f: ThresholdField): string {
  return `${f.group}.${f.member}`;
}

/** What the behaviors page shows. */
export interface BehaviorsView {
  /** Undefined without `Zero Trust Read`. */
  readonly behaviors: readonly BehaviorView[] | undefined;
  readonly thresholds: DetectorThresholds | undefined;
  /** Values as typed, when re-showing a rejected thresholds form. */
  readonly enteredThresholds?: Readonly<Record<string, string>>;
  /** Problems by form field name (`imp_travel.min_speed_kmh`) or behavior key. */
  readonly errors?: Readonly<Record<string, string>>;
  /** A problem that belongs to no single field. */
  readonly formError?: string;
}

function behaviorRow(ctx: PageContext, b: BehaviorView, error: string | undefined): Html {
  const id = `behavior-${b.key}`;
  const levelId = `level-${b.key}`;
  return html`<tr id="${id}" data-behavior="${b.key}">
  <td><strong>${b.name}</strong><div class="muted small">${b.description}</div><div class="mono small muted">${b.key}</div></td>
  <td>${b.enabled ? html`<span class="badge badge-on" data-testid="status">enabled</span>` : html`<span class="badge badge-off" data-testid="status">disabled</span>`}</td>
  <td>${
    ctx.access.write
      ? html`<form class="toggle-form" method="post" action="/behaviors/${b.key}" hx-post="/behaviors/${b.key}"
          hx-select="#${id}" hx-target="#${id}" hx-swap="outerHTML" hx-select-oob="#flash">
        ${csrfField(ctx.csrfToken)}
        <label class="sr-only" for="${levelId}">Level of ${b.name}</label>
        <select id="${levelId}" name="risk_level"${error ? html` aria-invalid="true" aria-describedby="${levelId}-error"` : ''}>
          ${[...RISK_LEVELS].reverse().map((l) => html`<option value="${l}"${l === b.riskLevel ? html` selected` : ''}>${l}</option>`)}
        </select>
        <button class="btn btn-secondary btn-small" type="submit" name="enabled" value="${String(b.enabled)}">Save level</button>
        <button class="btn btn-small${b.enabled ? ' btn-secondary' : ''}" type="submit" name="enabled" value="${String(!b.enabled)}"
          aria-label="${b.enabled ? 'Disable' : 'Enable'} ${b.name}">${b.enabled ? 'Disable' : 'Enable'}</button>
        ${error ? html`<p class="error-text" id="${levelId}-error">${error}</p>` : ''}
      </form>`
      : html`<span class="badge badge-${b.riskLevel}">${b.riskLevel}</span>`
  }</td>
</tr>`;
}

function thresholdsForm(ctx: PageContext, view: BehaviorsView, t: DetectorThresholds): Html {
  const wire = toThresholdsWire(t) as unknown as Record<string, Record<string, number>>;
  const defaults = toThresholdsWire(DEFAULT_THRESHOLDS) as unknown as Record<string, Record<string, number>>;
  const errors = view.errors ?? {};
  const editable = ctx.access.write;
  return html`<section class="panel thresholds" aria-labelledby="thresholds-title" id="thresholds">
  <h2 id="thresholds-title">Detector thresholds</h2>
  <p class="muted small">When the detectors fire. Changes apply to later detections; recorded risk events keep their level.</p>
  ${view.formError ? html`<div class="notice notice-error" role="alert"><p>${view.formError}</p></div>` : ''}
  <form method="post" action="/behaviors/thresholds" novalidate>
    ${csrfField(ctx.csrfToken)}
    ${THRESHOLD_GROUPS.map(
      (g) => html`<fieldset><legend>${g.title}</legend><div class="form-grid">
      ${g.fields.map((f) => {
        const name = thresholdName(f);
        const id = `t-${f.group}-${f.member}`;
        const error = errors[name];
        const value = view.enteredThresholds?.[name] ?? String(wire[f.group]?.[f.member] ?? '');
        return html`<div class="field">
          <label for="${id}">${f.label} (${f.unit})</label>
          <input id="${id}" name="${name}" type="number" step="${f.step}" inputmode="decimal" value="${value}"
            aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"${error ? html` aria-invalid="true"` : ''}${editable ? '' : html` readonly`} required>
          <p class="hint" id="${id}-hint">Default ${String(defaults[f.group]?.[f.member] ?? '')}</p>
          ${error ? html`<p class="error-text" id="${id}-error" data-testid="field-error">${error}</p>` : ''}
        </div>`;
      })}
      </div></fieldset>`,
    )}
    ${editable ? html`<button class="btn" type="submit">Save thresholds</button>` : html`<p class="muted small">Changing thresholds needs <span class="mono">Zero Trust Write</span>.</p>`}
  </form>
</section>`;
}

/** Behaviors (enable, level) and detector thresholds. */
export function behaviorsPage(ctx: PageContext, view: BehaviorsView): Html {
  const b = view.behaviors;
  const enabled = b ? b.filter((x) => x.enabled).length : 0;
  return page(
    ctx,
    { title: 'Behaviors', section: 'behaviors' },
    html`<h1>Behaviors</h1>
${
  b && view.thresholds
    ? html`<p class="muted">${enabled} of ${b.length} enabled. A user's level is the highest level among their risk events since their last reset.</p>
${enabled === 0 ? html`<div class="notice notice-warn" role="note"><p><strong>No behavior is enabled</strong>, so no risk is recorded. All behaviors start disabled.</p></div>` : ''}
<section class="panel" aria-labelledby="behaviors-title">
  <h2 id="behaviors-title">Risk behaviors</h2>
  ${ctx.access.write ? '' : html`<p class="muted small">Changing behaviors needs <span class="mono">Zero Trust Write</span>.</p>`}
  <div class="table-wrap"><table data-testid="behaviors-table">
    <thead><tr><th scope="col">Behavior</th><th scope="col">Status</th><th scope="col">Level</th></tr></thead>
    <tbody>${b.map((x) => behaviorRow(ctx, x, view.errors?.[x.key]))}</tbody>
  </table></div>
</section>
${thresholdsForm(ctx, view, view.thresholds)}`
    : needsReadNotice('behaviors')
}`,
  );
}
