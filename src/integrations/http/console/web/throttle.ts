import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * `version`, moved on at most every `ms`: the first move at once, later ones at the end of the wait,
 * to the newest value. A busy store moves the pages' versions many times a second; each move is a
 * request to the gateway per open page.
 */
export function useThrottled(version: number, ms: number): number {
  const [shown, setShown] = useState(version);
  const last = useRef(Number.NEGATIVE_INFINITY);
  useEffect(() => {
    if (version === shown) return;
    const timer = setTimeout(
      () => {
        last.current = performance.now();
        setShown(version);
      },
      Math.max(0, last.current + ms - performance.now()),
    );
    return () => clearTimeout(timer);
  }, [version, shown]);
  return shown;
}
