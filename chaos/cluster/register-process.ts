/** Starts the protected register (register/register-server.ts) as a process of its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegisterClient } from '../register/register-client.js';

const SCRIPT = fileURLToPath(new URL('../register/register-server.js', import.meta.url));

export interface RegisterProcess {
  readonly socketPath: string;
  readonly client: RegisterClient;
  stop(): Promise<void>;
}

export async function startRegister(dir: string): Promise<RegisterProcess> {
  const socketPath = path.join(dir, 'register.sock');
  const child: ChildProcess = spawn(process.execPath, [SCRIPT, socketPath, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  if (!chunk.toString().startsWith('ready')) throw new Error(`the register did not start: ${chunk.toString()}`);
  const client = await RegisterClient.connect(socketPath);
  return {
    socketPath,
    client,
    async stop() {
      client.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
