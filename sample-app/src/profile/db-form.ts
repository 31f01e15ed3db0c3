import type { LogupDbValue } from 'nestjs-logup';
import { FORM_MESSAGES } from '../messages.js';

const VALUE_TYPES = ['string', 'number', 'boolean'] as const;
type ValueType = (typeof VALUE_TYPES)[number];

export interface UpdateForm {
  key?: unknown;
  value?: unknown;
  type?: unknown;
}

/** Turns the form's text into the typed value LogUp stores, or says (to a person) why it cannot. */
export function typedValue(form: UpdateForm): { value: LogupDbValue } | { problem: string } {
  const type = VALUE_TYPES.includes(form.type as ValueType) ? (form.type as ValueType) : 'string';
  if (typeof form.value !== 'string') return { problem: FORM_MESSAGES.notOneValue };
  if (type === 'number') {
    const n = Number(form.value);
    return form.value.trim() !== '' && Number.isFinite(n) ? { value: n } : { problem: FORM_MESSAGES.notNumber };
  }
  if (type === 'boolean') {
    const text = form.value.trim().toLowerCase();
    return text === 'true' || text === 'false' ? { value: text === 'true' } : { problem: FORM_MESSAGES.notBoolean };
  }
  return { value: form.value };
}
