/** A one-line progress bar on a terminal; plain lines when output is a file or a CI log. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const started = Date.now();
  let lastLine = '';
  return {
    update({ done, total, current }: { done: number; total: number; current: string }) {
      if (total === 0) return;
      const name = current.split('/').pop() ?? '';
      if (!tty) {
        if (done > 0) stream.write(`[${done}/${total}] ${name}\n`);
        return;
      }
      const width = 24;
      const filled = Math.round((done / total) * width);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      lastLine = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${secs}s ${name}`.slice(0, (stream.columns ?? 100) - 1);
      stream.write(`\r\x1b[2K${lastLine}`);
    },
    /** Prints a message above the bar without breaking it. */
    note(message: string) {
      if (tty && lastLine) stream.write(`\r\x1b[2K${message}\n${lastLine}`);
      else stream.write(`${message}\n`);
    },
    finish() {
      if (tty && lastLine) stream.write('\r\x1b[2K');
    },
  };
}
