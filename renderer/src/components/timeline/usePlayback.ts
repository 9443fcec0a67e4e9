import { onUnmounted, ref } from 'vue';
import { useWorkspaceStore } from '../../stores/workspace.js';
import type { Span } from './timeline-scale.js';

/** How long a replay of the whole range takes, in milliseconds. */
export const REPLAY_MILLISECONDS = 10_000;

/**
 * Replays the incident: moves `workspace.playhead` from the start of `range()` to its end over
 * ten seconds, one step per animation frame, so panes that read the playhead (the graph grows
 * from it) follow. Pausing keeps the playhead where it is and playing again resumes from it.
 * Reset clears it, which signals to the panes that no replay is under way.
 */
export function usePlayback(range: () => Span | null) {
  const workspace = useWorkspaceStore();
  const playing = ref(false);
  let frame: number | null = null;
  let run: { range: Span; startMicros: number; startedAt: number | null } | null = null;

  function play(): void {
    const current = range();
    if (current === null || current.to <= current.from) return;
    const head = workspace.playhead;
    const startMicros = head !== null && head >= current.from && head < current.to ? head : current.from;
    run = { range: current, startMicros, startedAt: null };
    playing.value = true;
    workspace.setPlayhead(startMicros);
    frame = requestAnimationFrame(step);
  }

  function step(now: number): void {
    if (run === null) return;
    run.startedAt ??= now;
    const speed = (run.range.to - run.range.from) / REPLAY_MILLISECONDS;
    const next = Math.round(run.startMicros + (now - run.startedAt) * speed);
    if (next >= run.range.to) {
      workspace.setPlayhead(run.range.to);
      stop();
      return;
    }
    workspace.setPlayhead(next);
    frame = requestAnimationFrame(step);
  }

  function stop(): void {
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
    run = null;
    playing.value = false;
  }

  function toggle(): void {
    if (playing.value) stop();
    else play();
  }

  function reset(): void {
    stop();
    workspace.setPlayhead(null);
  }

  onUnmounted(stop);

  return { playing, play, pause: stop, toggle, reset };
}
