import { Component, type ComponentChildren } from 'preact';
import { html } from './html.js';
import { type Language, translate } from './texts.js';

interface Props {
  language: Language;
  children: ComponentChildren;
}

/**
 * One page's failure (an answer it did not expect) shows as an alert in place of that page, and the
 * header and its menu go on working: without this, Preact unmounts the whole console. main.ts keys it
 * by the route, so another page starts afresh.
 */
export class PageBoundary extends Component<Props, { error: string | undefined }> {
  override state: { error: string | undefined } = { error: undefined };

  static getDerivedStateFromError(error: unknown): { error: string } {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  override render() {
    const { language, children } = this.props;
    if (this.state.error === undefined) return children;
    return html`<div class="warn" role="alert" data-page-error>
      <p>${translate(language, 'pageFailed')}: <code>${this.state.error}</code></p>
      <button type="button" onClick=${() => this.setState({ error: undefined })}>${translate(language, 'retry')}</button>
    </div>`;
  }
}
