// Numbers, times and small badges, in the chosen language's conventions (Indian digit grouping).
import { h } from './dom.js';
import { lang } from './i18n.js';

const locale = () => (lang() === 'hi' ? 'hi-IN' : 'en-IN');

export function num(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(Number(v));
}

export function fixed(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
  return Number(v).toFixed(digits);
}

export function pct(part, whole) {
  if (!whole) return '0%';
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format((100 * part) / whole)}%`;
}

export function inr(v, currency = 'INR') {
  if (v === null || v === undefined) return '—';
  try {
    return new Intl.NumberFormat(locale(), { style: 'currency', currency, maximumFractionDigits: 2 }).format(Number(v));
  } catch {
    return `${num(v, 2)} ${currency}`;
  }
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/** A <time> element: local time shown, the UTC instant in datetime and title. */
export function timeEl(iso, { short = false } = {}) {
  return h('time', { datetime: iso || '', title: iso || '' }, short ? whenShort(iso) : when(iso));
}

export function whenShort(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

/** "hi" when the text is in Devanagari, else "en" (for lang attributes on server text). */
export function textLang(text) {
  return /[\u0900-\u097F]/.test(text || '') ? 'hi' : 'en';
}

export function clock(date) {
  return new Intl.DateTimeFormat(locale(), { timeStyle: 'medium' }).format(date);
}

export function levelBadge(level) {
  if (!level) return h('span', { class: 'muted' }, '—');
  return h('span', { class: ['badge', `lvl-${level}`] }, level);
}

export function actionText(action) {
  return h('span', { class: 'act' }, action || '—');
}

export function labelBadge(label) {
  if (!label) return h('span', { class: 'muted' }, '—');
  const text = typeof label === 'string' ? label : label.label;
  return h('span', { class: 'badge badge-label' }, text);
}

/** A feature value as the model saw it. */
export function featureValue(v) {
  if (v === null || v === undefined) return 'missing';
  if (typeof v === 'number') return Number.isInteger(v) ? num(v) : num(v, 3);
  return String(v);
}

/** Who made a label: a string, or {key_name, key_id}. */
export function who(by) {
  if (!by) return '—';
  if (typeof by === 'string') return by;
  const name = by.key_name || by.name || '';
  const id = by.key_id || by.id || '';
  return name && id ? `${name} (${id})` : name || id || JSON.stringify(by);
}
