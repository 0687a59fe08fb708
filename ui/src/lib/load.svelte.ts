import { ApiError, errorMessage, isAbort } from './api.ts';

/** One request's state for a page: loading, the data, or an error message (the previous request is aborted). */
export class Loader<T> {
  data = $state<T | null>(null);
  loading = $state(false);
  error = $state('');
  status = $state(0);
  private ctrl: AbortController | null = null;

  run(fetcher: (signal: AbortSignal) => Promise<T>): void {
    this.ctrl?.abort();
    const ctrl = new AbortController();
    this.ctrl = ctrl;
    this.loading = true;
    this.error = '';
    this.status = 0;
    fetcher(ctrl.signal)
      .then((d) => {
        if (ctrl.signal.aborted) return;
        this.data = d;
        this.loading = false;
      })
      .catch((e: unknown) => {
        if (isAbort(e) || ctrl.signal.aborted) return;
        this.error = errorMessage(e);
        this.status = e instanceof ApiError ? e.status : 0;
        this.data = null;
        this.loading = false;
      });
  }

  abort(): void {
    this.ctrl?.abort();
  }
}
