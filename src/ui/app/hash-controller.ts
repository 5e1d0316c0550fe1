/**
 * Keeps a view's settings in step with the URL hash: read once when the view connects and again
 * on every `hashchange` (the shell keeps views mounted, so a lesson link opened later must still
 * reach them).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { readLesson, type HashParams } from './lesson-link.js';

export class HashController implements ReactiveController {
  private readonly onHash = () => this.apply(readLesson());

  constructor(
    host: ReactiveControllerHost,
    private readonly apply: (params: HashParams) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.apply(readLesson());
    window.addEventListener('hashchange', this.onHash);
  }

  hostDisconnected(): void {
    window.removeEventListener('hashchange', this.onHash);
  }
}
