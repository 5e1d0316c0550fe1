import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Session } from '../app/session.js';

/**
 * Like `SessionController`, but follows a host whose `session` property may be replaced after
 * construction (a test harness or a second lab on one page passes its own Session): the host
 * re-renders on every `change` of whichever session it currently shows.
 */
export class SessionWatch implements ReactiveController {
  private current: Session | null = null;
  private readonly onChange = () => this.host.requestUpdate();
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly get: () => Session,
  ) {
    host.addController(this);
  }
  private follow(): void {
    const s = this.get();
    if (s === this.current) return;
    this.current?.removeEventListener('change', this.onChange);
    s.addEventListener('change', this.onChange);
    this.current = s;
  }
  hostConnected(): void {
    this.follow();
  }
  hostUpdate(): void {
    this.follow();
  }
  hostDisconnected(): void {
    this.current?.removeEventListener('change', this.onChange);
    this.current = null;
  }
}
