import type { ProductRef } from '../../shared/events.js';

import type { Counts, Figures, ProductFigures } from '../../shared/payloads.js';

export type { Counts, Figures, ProductFigures };

/** One product on one store day. */
export interface DailyFigure extends Figures {
  day: string;
  sku: string;
  gtin?: string;
  name?: string;
}

export function conversion(counts: Counts): number | null {
  if (counts.pickedUp === 0) return null;
  return Math.round((counts.bought / counts.pickedUp) * 10_000) / 10_000;
}

export function withConversion(counts: Counts): Figures {
  return { ...counts, conversion: conversion(counts) };
}

export function emptyCounts(): Counts {
  return { pickedUp: 0, putBack: 0, bought: 0 };
}

export function addCounts(into: Counts, more: Counts): void {
  into.pickedUp += more.pickedUp;
  into.putBack += more.putBack;
  into.bought += more.bought;
}

/** Sums of several rows, with the conversion of the sums (not an average of conversions). */
export function totalsOf(rows: readonly Counts[]): Figures {
  const sum = emptyCounts();
  for (const row of rows) addCounts(sum, row);
  return withConversion(sum);
}

/** Per product over all the rows, by SKU; the name and GTIN of the latest day win. */
export function byProduct(rows: readonly DailyFigure[]): ProductFigures[] {
  const products = new Map<string, { ref: ProductRef; counts: Counts }>();
  for (const row of rows) {
    let entry = products.get(row.sku);
    if (!entry) {
      entry = { ref: { sku: row.sku }, counts: emptyCounts() };
      products.set(row.sku, entry);
    }
    if (row.gtin !== undefined) entry.ref.gtin = row.gtin;
    if (row.name !== undefined) entry.ref.name = row.name;
    addCounts(entry.counts, row);
  }
  return [...products.values()]
    .sort((a, b) => (a.ref.sku < b.ref.sku ? -1 : a.ref.sku > b.ref.sku ? 1 : 0))
    .map(({ ref, counts }) => ({ ...ref, ...withConversion(counts) }));
}
