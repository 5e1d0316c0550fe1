/**
 * Replay position and playback of a Lit host: step / rollout / play / pause / seek, the keyboard
 * shortcuts (Space play/pause, ←/→ step, Shift+←/→ rollout, Home/End), and following a live
 * search (while at the last step, new events advance the step).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { TreeEvent } from '../../mcts/tree.js';
import type { ReplayCommand } from './replay-controls.js';
import { clampStep, nextIterationStep, prevIterationStep } from './replay.js';

export class ReplayController implements ReactiveController {
  step = 0;
  playing = false;
  speed = 4;
  /** At the last step: new events move the step along. */
  follow = true;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly events: () => readonly TreeEvent[],
    /** Whether more events may still arrive (a search is running). */
    private readonly live: () => boolean,
    /** Called after the step changes by a user action (e.g. to write the lesson link). */
    private readonly onSeek: (step: number) => void = () => undefined,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.pause();
  }

  /** New events arrived (or a new tree was shown). */
  grew(): void {
    const total = this.events().length;
    if (this.follow && !this.playing) this.step = total;
    this.step = clampStep(this.step, total);
    this.host.requestUpdate();
  }

  /** Show a new tree at `step` (default: its end). */
  reset(step?: number): void {
    this.pause();
    const total = this.events().length;
    this.step = clampStep(step ?? total, total);
    this.follow = this.step === total;
    this.host.requestUpdate();
  }

  seek(step: number): void {
    const total = this.events().length;
    this.step = clampStep(step, total);
    this.follow = this.step === total;
    this.onSeek(this.step);
    this.host.requestUpdate();
  }

  play(): void {
    if (this.playing) return;
    const events = this.events();
    if (this.step >= events.length && !this.live()) this.seek(0);
    this.playing = true;
    this.restartTimer();
    this.host.requestUpdate();
  }

  pause(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.playing) {
      this.playing = false;
      this.host.requestUpdate();
    }
  }

  setSpeed(stepsPerSecond: number): void {
    this.speed = stepsPerSecond;
    if (this.playing) this.restartTimer();
    this.host.requestUpdate();
  }

  private restartTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), 1000 / this.speed);
  }

  private tick(): void {
    const total = this.events().length;
    if (this.step < total) this.seek(this.step + 1);
    else if (!this.live()) this.pause();
  }

  /** Apply a command from <lab-replay-controls> or a shortcut. */
  command(command: ReplayCommand, value?: number): void {
    const events = this.events();
    if (command !== 'toggle-play' && command !== 'speed') this.pause();
    switch (command) {
      case 'first': return this.seek(0);
      case 'prev': return this.seek(this.step - 1);
      case 'next': return this.seek(this.step + 1);
      case 'last': return this.seek(events.length);
      case 'prev-iteration': return this.seek(prevIterationStep(events, this.step));
      case 'next-iteration': return this.seek(nextIterationStep(events, this.step));
      case 'seek': return this.seek(value ?? this.step);
      case 'speed': return this.setSpeed(value ?? this.speed);
      case 'toggle-play': return this.playing ? this.pause() : this.play();
    }
  }

  /** Handle a replay shortcut; returns true when the key was one. */
  key(e: KeyboardEvent): boolean {
    if (e.altKey || e.ctrlKey || e.metaKey) return false;
    const map: Record<string, ReplayCommand> = e.shiftKey
      ? { ArrowLeft: 'prev-iteration', ArrowRight: 'next-iteration' }
      : { ' ': 'toggle-play', ArrowLeft: 'prev', ArrowRight: 'next', Home: 'first', End: 'last' };
    const cmd = map[e.key];
    if (!cmd) return false;
    this.command(cmd);
    return true;
  }
}
