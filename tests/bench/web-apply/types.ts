/** What the bench page (main.tsx) and its runner (../web-apply.ts) share: plain types, no JSX. */
export type Kind = "edit" | "append" | "delete";

/** The figures of one timed batch. */
export interface Figures {
  kind: Kind;
  changes: number;
  rowsBefore: number;
  rowsAfter: number;
  /** applyChanges on a plain object: the state change alone. */
  pureMs: number;
  /** From handing the batch over until the store's produce() has applied the last change. */
  storeMs: number;
  /** Until the handler returned: store updated and every DOM mutation made (Solid updates synchronously). */
  domMs: number;
  /** Plus the style recalculation and layout the next frame needs (forced by reading scrollHeight). */
  layoutMs: number;
  /** Mutation records that arrived after domMs, up to the next frame: 0 means the DOM had settled. */
  lateRecords: number;
  records: number;
  nodesAdded: number;
  nodesRemoved: number;
  attributeChanges: number;
  textChanges: number;
  rowsTouched: number;
}

/** `window.bench` on the bench page. */
export interface Bench {
  /** True once the snapshot is rendered, the link is connected and its catch-up answered. */
  ready(): boolean;
  /** From the page's start to the first render of the whole snapshot. */
  mountMs(): number;
  run(kind: Kind): Promise<Figures>;
}

export type BenchWindow = { bench: Bench };
