// Process entry: `parley <command> [options]`.
import { runCli } from './cli/index.ts';

export async function main(argv: string[]): Promise<void> {
  const code = await runCli(argv);
  if (code !== undefined) process.exitCode = code;
}
