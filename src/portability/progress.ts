// Progress for long exports and imports: a bar on a terminal, a plain line every few seconds
// (and at the end) otherwise, so logs and CI output stay readable.
import cliProgress from 'cli-progress';

export interface Progress {
  tick(label: string): void;
  stop(): void;
}

export function progress(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  let done = 0;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({ stream, format: `${title} {bar} {value}/{total} {label}`, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { label: '' });
    return {
      tick: (label) => bar.update(++done, { label }),
      stop: () => bar.stop(),
    };
  }
  let last = Date.now();
  return {
    tick() {
      done++;
      if (Date.now() - last >= 2000) {
        last = Date.now();
        stream.write(`${title}: ${done}/${total}\n`);
      }
    },
    stop: () => void stream.write(`${title}: ${done}/${total} done\n`),
  };
}
