import { useState } from 'preact/hooks';
import { type NowState, request } from './api.js';
import { html } from './html.js';
import { type Language, type TextKey, translate } from './texts.js';

/**
 * How long a test pulse lasts: long enough to hear a lock or see a light, short enough to be safe; less
 * when the output allows less (its `maxPulseMs`: the gateway refuses a longer pulse).
 */
const TEST_PULSE_MS = 1000;

export function testPulseMs(actuator: { maxPulseMs: number }): number {
  return Math.min(TEST_PULSE_MS, actuator.maxPulseMs);
}

/** A device that takes any text: the usual opposite of its resting value, when there is one. */
const OPPOSITES: Readonly<Record<string, string>> = {
  closed: 'open',
  off: 'on',
  locked: 'unlocked',
  '0': '1',
};

function opposite(safeState: string | null): string[] {
  const value = safeState === null ? undefined : OPPOSITES[safeState];
  return value === undefined ? [] : [value];
}

interface Props {
  now: NowState;
  language: Language;
}

/**
 * Each output (a lock, a light, a buzzer) with a test pulse: the chosen value for a second (less when
 * the output allows less), then the device returns to its resting value by itself. Confirmed first,
 * and sent as `actuators/set` through the gateway's request router (audited, signed where required),
 * as MQTT would.
 */
export function DevicesPage({ now, language }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const [outcome, setOutcome] = useState<Record<string, string>>({});
  const seconds = new Intl.NumberFormat(language, { maximumFractionDigits: 3 });
  const pulse = async (actuator: NowState['actuators'][number], value: string) => {
    const pulseMs = testPulseMs(actuator);
    if (!confirm(`${t('confirmPulse')} ${actuator.id} → ${value} (${seconds.format(pulseMs / 1000)} s)?`))
      return;
    const answer = await request('actuators/set', { actuator: actuator.id, value, pulseMs });
    setOutcome((before) => ({
      ...before,
      [actuator.id]: answer.status === 'ok' ? t('pulsed') : answer.error,
    }));
  };
  return html`
    <section aria-labelledby="outputs">
      <h2 id="outputs">${t('outputs')}</h2>
      ${
        now.actuators.length === 0
          ? html`<p>${t('noOutputs')}</p>`
          : html`<table>
            <tbody>
              ${now.actuators.map((actuator) => {
                const values = (actuator.values ?? opposite(actuator.safeState)).filter(
                  (value) => value !== actuator.safeState,
                );
                return html`<tr data-actuator=${actuator.id}>
                  <th scope="row">${actuator.id}</th>
                  <td>${t('rests')} ${actuator.safeState ?? '–'}</td>
                  <td>
                    ${values.map(
                      (value) =>
                        html`<button type="button" data-pulse=${value} onClick=${() => pulse(actuator, value)}>
                          ${t('testPulse')} ${value}
                        </button> `,
                    )}
                  </td>
                  <td role="status">${outcome[actuator.id] ?? ''}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
      }
    </section>
    <${DisplayPreviews} now=${now} language=${language} />
  `;
}

/**
 * What each display shows right now: a character LCD drawn cell for cell as it holds them (so a
 * name cut at 16 columns or a transliterated price shows as the customer sees it), an MQTT screen's
 * lines as its app was given them. The page's state follows the events, so the previews do too.
 */
function DisplayPreviews({ now, language }: Props) {
  const t = (key: TextKey) => translate(language, key);
  const displays = now.displays ?? [];
  return html`
    <section aria-labelledby="displays">
      <h2 id="displays">${t('displays')}</h2>
      ${displays.length === 0 ? html`<p>${t('noDisplays')}</p>` : ''}
      ${displays.map((display) => {
        const text = display.lines.map((line) => line.trimEnd()).filter((line) => line !== '');
        const label = `${display.id}: ${text.join(' / ') || t('blankScreen')}`;
        return html`<div class="display" data-display=${display.id}>
          <h3>${display.id} <small>${t('showing')}: ${display.template ?? '–'}</small></h3>
          ${
            display.lcd
              ? html`<div class="lcd" role="img" aria-label=${label}>
                  ${display.lines.map((line) => html`<span class="row">${line}</span>`)}
                </div>`
              : html`<pre class="screen-lines" aria-label=${label}>${display.lines.join('\n')}</pre>`
          }
        </div>`;
      })}
    </section>
  `;
}
