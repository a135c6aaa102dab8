import type { OutputStream } from '../fd-output.js';
/** A one-line progress bar on stderr, drawn only when stderr is a TTY (and not disabled). */
export class Progress {
  private bytes = 0;
  private lastDraw = 0;
  private readonly startedAt = Date.now();
  private readonly active: boolean;
  constructor(
    private readonly stream: OutputStream,
    enabled: boolean,
    private readonly totalBytes: number,
    /** Also told (at most every 200 ms), whatever the stream: the MCP server's progress notifications. */
    private readonly report?: (done: number, total: number | undefined, message: string) => void,
  ) {
    this.active = enabled && stream.isTTY === true;
  }
  add(bytes: number): void {
    this.bytes += bytes;
    if (!this.active && !this.report) return;
    const now = Date.now();
    if (now - this.lastDraw < 200) return;
    this.lastDraw = now;
    this.report?.(
      this.bytes,
      this.totalBytes > 0 ? this.totalBytes : undefined,
      `${(this.bytes / 1e6).toFixed(0)} MB read`,
    );
    if (this.active) this.draw(now);
  }
  private draw(now: number): void {
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    const mb = this.bytes / 1e6;
    const rate = `${(mb / seconds).toFixed(1)} MB/s`;
    if (this.totalBytes > 0) {
      const share = Math.min(1, this.bytes / this.totalBytes);
      const width = 30;
      const filled = Math.round(share * width);
      this.stream.write(
        `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${mb.toFixed(0)} MB ${rate}   `,
      );
    } else {
      this.stream.write(`\r${mb.toFixed(0)} MB read, ${rate}   `);
    }
  }
  done(): void {
    if (this.active && this.lastDraw > 0) this.stream.write('\r\u001b[K');
  }
}
