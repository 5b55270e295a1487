/**
 * A handler's refusal that carries more than its text: the fields of `details` go into the error
 * answer beside `error` (`{"status":"error","error":"…","problems":[…]}`), for a program that shows
 * each problem where it belongs (a CSV import's bad lines). A plain Error answers its message only.
 */
export class RequestRefusal extends Error {
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'RequestRefusal';
  }
}

/** The fields an error answer has already: details may not replace them. */
export const ANSWER_FIELDS: readonly string[] = ['transaction', 'status', 'error', 'data'];
