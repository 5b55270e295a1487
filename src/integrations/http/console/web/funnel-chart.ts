import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import { html } from './html.js';
import { formatDay } from './store-day.js';

/** A funnel per store day, every day of the range (a day without figures counts zero). */
export interface FunnelDays {
  days: string[];
  pickedUp: number[];
  putBack: number[];
  bought: number[];
  /** Bought / picked up; null on a day nothing was picked up (a gap in the line). */
  conversion: Array<number | null>;
}

export interface FunnelLabels {
  day: string;
  pickedUp: string;
  putBack: string;
  bought: string;
  conversion: string;
}

interface Props {
  funnel: FunnelDays;
  labels: FunnelLabels;
  language: string;
  /** What the chart shows, for a screen reader (the figures are in a table beside it). */
  description: string;
}

const HEIGHT = 280;
/** Count steps the axis may take: whole items only. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000];
const DAY_STEPS = [1, 2, 7, 14, 28, 56, 91, 182];

/** A colour of app.css (light and dark schemes each have theirs, contrasted for their background). */
function cssColour(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function widthOf(element: HTMLElement): number {
  return Math.max(240, Math.floor(element.clientWidth));
}

/** Each day's three counts side by side: a bar this wide (in days), the first this far left of the day. */
const BAR_WIDTH = 0.26;
const FIRST_BAR = -0.41;

function options(UPlot: typeof uPlot, { funnel, labels, language }: Props, width: number): uPlot.Options {
  const counts = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 });
  const dayAt = (index: number | null) =>
    index === null || !Number.isInteger(index) ? undefined : funnel.days[index];
  const bars = (label: string, colour: string, place: number): uPlot.Series => {
    const offset = FIRST_BAR + place * (BAR_WIDTH + 0.015);
    return {
      label,
      scale: 'count',
      stroke: cssColour(colour),
      fill: cssColour(colour),
      width: 0,
      points: { show: false },
      paths: UPlot.paths.bars?.({
        disp: {
          x0: { unit: 1, values: (chart) => (chart.data[0] as number[]).map((index) => index + offset) },
          size: { unit: 1, values: () => [BAR_WIDTH] },
        },
      }),
      value: (_chart, value) => (value === null ? '–' : counts.format(value)),
    };
  };
  const axis = {
    stroke: cssColour('--fg'),
    grid: { stroke: cssColour('--line'), width: 1 },
    ticks: { show: false },
  };
  const most = Math.max(1, ...funnel.pickedUp, ...funnel.putBack, ...funnel.bought);
  const conversion = cssColour('--chart-conversion');
  return {
    width,
    height: HEIGHT,
    // One colour per series, and the same figures in the table: no reliance on the hover legend.
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: {
      x: { time: false, range: () => [-0.5, funnel.days.length - 0.5] },
      count: { range: () => [0, most <= 4 ? 4 : Math.ceil(most * 1.1)] },
      share: { range: () => [0, 1] },
    },
    series: [
      { label: labels.day, value: (_chart, index) => formatIfDay(dayAt(index), language) },
      bars(labels.pickedUp, '--chart-picked', 0),
      bars(labels.putBack, '--chart-back', 1),
      bars(labels.bought, '--chart-bought', 2),
      {
        label: labels.conversion,
        scale: 'share',
        stroke: conversion,
        width: 2,
        dash: [6, 4],
        points: { show: true, size: 8, fill: conversion },
        spanGaps: false,
        value: (_chart, value) => (value === null ? '–' : percent.format(value)),
      },
    ],
    axes: [
      {
        ...axis,
        incrs: DAY_STEPS,
        grid: { show: false },
        values: (_chart, splits) => splits.map((index) => formatIfDay(dayAt(index), language, 'short')),
      },
      {
        ...axis,
        scale: 'count',
        incrs: COUNT_STEPS,
        values: (_chart, splits) => splits.map((v) => counts.format(v)),
      },
      {
        ...axis,
        scale: 'share',
        side: 1,
        grid: { show: false },
        values: (_chart, splits) => splits.map((v) => percent.format(v)),
      },
    ],
  };
}

function formatIfDay(day: string | undefined, language: string, style: 'short' | 'long' = 'long'): string {
  return day === undefined ? '' : formatDay(day, language, style);
}

/**
 * The funnel as a uPlot chart: made once the chart library has loaded (its own chunk, fetched when a
 * chart is first shown), as wide as its box and following it, and destroyed with the component.
 */
export function FunnelChart(props: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = box.current;
    if (!target) return;
    let chart: uPlot | undefined;
    let gone = false;
    const observer = new ResizeObserver(() => {
      if (chart && chart.width !== widthOf(target)) chart.setSize({ width: widthOf(target), height: HEIGHT });
    });
    import('uplot')
      .then(({ default: UPlot }) => {
        if (gone) return;
        const { funnel } = props;
        const data: uPlot.AlignedData = [
          funnel.days.map((_day, index) => index),
          funnel.pickedUp,
          funnel.putBack,
          funnel.bought,
          funnel.conversion,
        ];
        chart = new UPlot(options(UPlot, props, widthOf(target)), data, target);
        observer.observe(target);
      })
      .catch(() => {
        // Without the chart library (an interrupted load), the table below still has every figure.
      });
    return () => {
      gone = true;
      observer.disconnect();
      chart?.destroy();
    };
  }, [props.funnel, props.labels, props.language]);
  return html`<div class="funnel-chart" ref=${box} role="img" aria-label=${props.description}></div>`;
}
