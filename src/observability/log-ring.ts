// The most recent log lines, kept in memory for the admin page's log tail.
export class LogRing {
  private lines: string[] = [];
  private next = 0;
  constructor(private readonly capacity = 1000) {}

  push(line: string): void {
    if (this.lines.length < this.capacity) this.lines.push(line);
    else this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Up to n most recent lines, oldest first. */
  tail(n: number): string[] {
    const ordered = this.lines.length < this.capacity ? this.lines : [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    return ordered.slice(-n);
  }
}
